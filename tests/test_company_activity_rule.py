"""One writer of portal events: every feature records through portal.services.portal_events.record, so the
company's kept activity (CompanyActivity) moves with every event. Checked on the source of the package."""
from __future__ import annotations

import ast
from pathlib import Path

import portal

ROOT = Path(portal.__file__).resolve().parent
WRITER = ROOT / "services" / "portal_events.py"
#: modules of a feature package that are not views
NOT_VIEWS = {"services.py", "isolation.py", "blocks.py", "forms.py"}


def _aliases(tree: ast.AST, name: str) -> set[str]:
    """The names `name` goes by in a module (itself, and any `import ... as`)."""
    found = {name}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found |= {alias.asname for alias in node.names if alias.name == name and alias.asname}
    return found


def _called_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _constructs(node: ast.Call, names: set[str]) -> bool:
    return _called_name(node.func) in names


def _writes_table(node: ast.Call, names: set[str]) -> bool:
    """insert(PortalEvent), update(PortalEvent.__table__), session.bulk_insert_mappings(PortalEvent, ...)"""
    return _called_name(node.func) in ("insert", "update", "bulk_insert_mappings", "bulk_save_objects") and any(
        isinstance(n, ast.Name | ast.Attribute) and _called_name(n) in names
        for arg in node.args for n in ast.walk(arg))


def _writes_by_sql(node: ast.Call) -> bool:
    def is_write(text: str) -> bool:
        text = text.lower()
        return "portal_event" in text and ("insert" in text or "update" in text)

    return _called_name(node.func) in ("text", "execute", "exec_driver_sql") and any(
        isinstance(arg, ast.Constant) and isinstance(arg.value, str) and is_write(arg.value) for arg in node.args)


def writes_of_portal_event(source: str) -> list[int]:
    """Lines that construct a PortalEvent, or insert or update its table, in a module's source."""
    tree = ast.parse(source)
    names = _aliases(tree, "PortalEvent")
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (_constructs(node, names) or _writes_table(node, names)
                                           or _writes_by_sql(node)):
            lines.append(node.lineno)
    return lines


def imports_the_writer(source: str) -> bool:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.module == "portal.services.portal_events":
                return True
            if node.module == "portal.services" and any(a.name == "portal_events" for a in node.names):
                return True
        if isinstance(node, ast.Import) and any(a.name == "portal.services.portal_events" for a in node.names):
            return True
    return False


def _modules():
    return sorted(ROOT.rglob("*.py"))


def _is_view(path: Path) -> bool:
    relative = path.relative_to(ROOT)
    if relative.parts[0] == "admin_views" or path.name == "login_session.py":
        return True
    return relative.parts[0] == "blueprints" and path.name not in NOT_VIEWS and path.name != "__init__.py"


def test_only_the_portal_events_service_constructs_a_portal_event():
    offenders = {str(path.relative_to(ROOT)): lines for path in _modules() if path != WRITER
                 and (lines := writes_of_portal_event(path.read_text(encoding="utf-8")))}
    assert offenders == {}, "record portal events with portal.services.portal_events.record"
    assert writes_of_portal_event(WRITER.read_text(encoding="utf-8")), "the service itself is seen writing"


def test_no_view_records_portal_events_itself():
    offenders = [str(path.relative_to(ROOT)) for path in _modules()
                 if _is_view(path) and imports_the_writer(path.read_text(encoding="utf-8"))]
    assert offenders == [], "views call a service that records the event, never portal_events directly"


def test_the_back_office_list_of_portal_events_cannot_change_them(app):
    [view] = [v for v in app.extensions["portal_admin"]._views if v.endpoint == "admin_portal_event"]
    assert not (view.can_create or view.can_edit or view.can_delete)


def test_the_rule_sees_each_way_of_writing_an_event():
    """The scanner finds what it must (else the tests above could pass with writers left in)."""
    samples = {
        "from portal.models import PortalEvent\ndb.session.add(PortalEvent(kind='x'))\n": [2],
        "from portal.models import PortalEvent as Event\nevent = Event(kind='x')\n": [2],
        "from portal import models\nmodels.PortalEvent(kind='x')\n": [2],
        "from portal.models import PortalEvent\ndb.session.execute(insert(PortalEvent).values(kind='x'))\n": [2],
        "db.session.execute(text('INSERT INTO portal_event (kind) VALUES (1)'))\n": [1],
        "from portal.models import PortalEvent\nselect(PortalEvent).where(PortalEvent.kind == 'x')\n": [],
    }
    for source, lines in samples.items():
        assert writes_of_portal_event(source) == lines, source
    assert imports_the_writer("from portal.services import audit, portal_events\n")
    assert imports_the_writer("from portal.services.portal_events import record\n")
    assert not imports_the_writer("from portal.services import quote_shares\n")
