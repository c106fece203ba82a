"""All models, imported here so Alembic and the admin see every table."""
from portal.models.accounts import (  # noqa: F401
    AccessToken,
    CompanyInvitation,
    InvitationState,
    LinkRequest,
    Membership,
    RepAccess,
    Role,
    RoleGrant,
    TokenPurpose,
    User,
    UserKind,
    UserSession,
    rep_allocation,
)
from portal.models.catalog import (  # noqa: F401
    Category,
    ContractPrice,
    PriceBreak,
    PriceTier,
    Product,
    ProductImage,
    ProductPrice,
    ProductVisibility,
    Promotion,
    StockLevel,
    product_company_visibility,
    product_tier_visibility,
)
from portal.models.companies import Address, AddressKind, Company  # noqa: F401
from portal.models.engagement import AuditLog, CompanyActivity, Notification, PortalEvent  # noqa: F401
from portal.models.evidence import QuoteSignature  # noqa: F401
from portal.models.figures import CompanyFigures  # noqa: F401
from portal.models.finance import (  # noqa: F401
    CreditNote,
    CreditNoteLine,
    CreditNoteStatus,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PaymentRequest,
    PaymentRequestItem,
    PaymentRequestStatus,
)
from portal.models.fulfilment import (  # noqa: F401
    ReturnAttachment,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
)
from portal.models.integrations import IntegrationKey  # noqa: F401
from portal.models.messaging import (  # noqa: F401
    CustomerNotice,
    EmailTemplate,
    InvoiceReminder,
    NotificationRoute,
    OutboxAttachment,
    OutboxEmail,
    OutboxStatus,
)
from portal.models.purchasing import (  # noqa: F401
    DeliveryDateProposal,
    ProposalStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderNote,
    PurchaseOrderStatus,
    SupplierBill,
    SupplierBillStatus,
)
from portal.models.sales import (  # noqa: F401
    ApprovalDecision,
    CartItem,
    ChargeKind,
    ChargeStatus,
    ListSharing,
    OrderApproval,
    OrderCharge,
    OrderStatus,
    PurchaseList,
    PurchaseListItem,
    Quote,
    QuoteLine,
    QuoteMessage,
    QuoteSection,
    QuoteStatus,
    SalesOrder,
    SalesOrderLine,
)
from portal.models.service import (  # noqa: F401
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketPriority,
    TicketStatus,
)
from portal.models.system import DocumentSequence, ImportMapping, SettingValue  # noqa: F401
