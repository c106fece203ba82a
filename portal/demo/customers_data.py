"""The people and companies Northwind Supply deals with (all fictitious; .example domains)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CompanySpec:
    code: str
    name: str
    domain: str
    city: str
    street: str
    postcode: str
    #: (full name, role, job title)
    contacts: list[tuple[str, str, str]]
    country: str = "NL"
    tier: str | None = None  # None: the default tier
    discount: str = "0"
    credit_limit: str = "10000"
    terms: int = 30
    portal_access: bool = True
    is_supplier: bool = False
    is_customer: bool = True
    #: extra delivery addresses: (label, street, postcode, city)
    sites: list[tuple[str, str, str, str]] = field(default_factory=list)


CUSTOMERS = [
    CompanySpec("C-1001", "Acme Hardware", "acme.example", "Amsterdam", "Kraanspoor 12", "1033 SE",
                [("Anna de Vries", "Admin", "Operations manager"), ("Mark Jansen", "Buyer", "Purchaser"),
                 ("Eva Bakker", "Finance", "Accounts payable"), ("Tom Smit", "Viewer", "Warehouse lead")],
                credit_limit="25000", sites=[("Warehouse Westpoort", "Sextantweg 8", "1042 AH", "Amsterdam")]),
    CompanySpec("C-1002", "Brightline Interiors", "brightline.example", "Rotterdam", "Van Nelleweg 1", "3044 BC",
                [("Sanne Mulder", "Admin", "Director"), ("Joris Peters", "Buyer", "Project buyer")],
                tier="TRADE", discount="2.5", credit_limit="15000"),
    CompanySpec("C-1003", "Canal Joinery", "canaljoinery.example", "Utrecht", "Oudegracht 231", "3511 NK",
                [("Pieter de Boer", "Admin", "Owner"), ("Lotte Hendriks", "Finance", "Bookkeeper")],
                tier="TRADE", credit_limit="8000", terms=14),
    CompanySpec("C-1004", "Dijkstra Bouw", "dijkstrabouw.example", "Groningen", "Zernikepark 6", "9747 AN",
                [("Henk Dijkstra", "Admin", "Managing director"), ("Femke Dijkstra", "Finance", "Finance"),
                 ("Bas Kok", "Buyer", "Site manager"), ("Noor Willems", "Viewer", "Planner")],
                tier="WHOLESALE", discount="3", credit_limit="50000", terms=45,
                sites=[("Site Ebbingekwartier", "Boterdiep 40", "9712 LM", "Groningen")]),
    CompanySpec("C-1005", "Eastgate Facilities", "eastgate.example", "Eindhoven", "Kastanjelaan 500", "5616 LZ",
                [("Karin Vos", "Admin", "Facility manager"), ("Ahmed El Amrani", "Buyer", "Technician")]),
    CompanySpec("C-1006", "Fennick Property Services", "fennick.example", "Den Haag", "Laan van NOI 90",
                "2593 CE", [("Richard Fennick", "Admin", "Owner"), ("Ilse van Dam", "Finance", "Office manager")],
                portal_access=False, credit_limit="5000"),
    CompanySpec("C-1007", "Greenway Landscaping", "greenway.example", "Arnhem", "Westervoortsedijk 73",
                "6827 AV", [("Ruben Meijer", "Admin", "Owner"), ("Daphne Koster", "Buyer", "Crew lead"),
                            ("Milan de Groot", "Viewer", "Apprentice")], tier="TRADE"),
    CompanySpec("C-1008", "Harbourside Marine", "harbourside.example", "Antwerpen", "Kattendijkdok-Westkaai 20",
                "2000", [("Claire Peeters", "Admin", "Yard manager"), ("Wout Janssens", "Buyer", "Purchaser")],
                country="BE", discount="5", credit_limit="12000", terms=30),
    CompanySpec("C-1009", "Ironbridge Engineering", "ironbridge.example", "Nijmegen", "Kerkenbos 1015",
                "6546 BB", [("Priya Shah", "Admin", "Commercial director"), ("Stefan Brouwer", "Buyer", "Buyer"),
                            ("Yara Bos", "Finance", "Controller")],
                tier="WHOLESALE", credit_limit="30000", terms=60, is_supplier=True),
    CompanySpec("C-1010", "Juniper Shopfitting", "junipershopfitting.example", "Haarlem", "Waarderweg 52",
                "2031 BP", [("Emma Visser", "Admin", "Project manager"), ("Luuk Post", "Buyer", "Fitter")],
                tier="TRADE", discount="1.5"),
    CompanySpec("C-1011", "Kestrel Electrical", "kestrel.example", "Leiden", "Rooseveltstraat 18", "2321 BM",
                [("Mohammed Yilmaz", "Admin", "Owner"), ("Sophie de Wit", "Buyer", "Office"),
                 ("Thijs Kramer", "Finance", "Accounts")], credit_limit="7500"),
    CompanySpec("C-1012", "Lindenhof Hotels", "lindenhof.example", "Maastricht", "Vrijthof 9", "6211 LD",
                [("Marieke Linden", "Admin", "Technical services"), ("Jeroen Huisman", "Viewer", "Caretaker")],
                portal_access=False, credit_limit="6000", terms=30),
]

SUPPLIERS = [
    CompanySpec("S-2001", "Baltic Fastener Works", "balticfasteners.example", "Gdańsk", "ul. Przemysłowa 14",
                "80-542", [("Tomasz Nowak", "Admin", "Export sales")], country="PL", is_customer=False,
                is_supplier=True, credit_limit="0"),
]

#: Anna also buys for a second customer: she sees a company switcher
SHARED_CONTACT = ("anna@acme.example", "C-1002", "Buyer", "Purchasing (shared service)")

#: Contacts of companies with portal access accepted their invitation (they order, accept quotes and
#: open tickets in the portal), except these: one invitation is still open, two were never invited.
INVITATION_PENDING = {"Tom Smit"}
NOT_INVITED = {"Noor Willems", "Milan de Groot"}

#: (code, number of contract-priced products)
CONTRACT_CUSTOMERS = [("C-1001", 6), ("C-1004", 8), ("C-1009", 5)]

#: the sales rep's customers
REP_CUSTOMERS = ["C-1001", "C-1002", "C-1003", "C-1005"]

STAFF = [("Olivia Bennett", "admin@northwind.example"), ("Daan Visser", "daan@northwind.example")]
REP = ("Sofia Martens", "sofia@northwind.example")
