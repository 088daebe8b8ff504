"""The credit report as a page and a PDF: `GET /reports/{uscc}.html` and `GET /reports/{uscc}.pdf`
(`?scenario=…&asOf=…&purpose=…`, the key in `Authorization: Bearer …` or `X-Api-Key`, as for /graphql), and the
verification page `GET /reports/verify?number=…&hash=…`.

One builder: the page runs the GraphQL document `REPORT_DOCUMENT` (the `creditReport` field) through the schema
with the caller's principal, so roles, purposes, masking, the public view and the access log are the API's own,
and renders the data it answers with one template (api/templates/report.html). The PDF is that same HTML printed
by WeasyPrint. Errors are the GraphQL error codes with HTTP statuses: UNAUTHENTICATED 401, FORBIDDEN 403,
INVALID_INPUT 400, NOT_FOUND 404, STORE_UNAVAILABLE and QUERY_TIMEOUT 503.

Why WeasyPrint: it prints the very HTML the page shows (one template, so the PDF cannot drift from the page or
from the GraphQL answer), lays out CJK text through Pango with the fonts fontconfig finds (Debian's
fonts-wqy-microhei here) and embeds the subset of the font it used; it is maintained (CourtBouillon, releases
every few months) and a pure pip install over Debian's Pango. fpdf2 and reportlab would need a second layout
written in Python calls, kept in step with the page by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from api.auth import ADMIN, MAY_UNMASK, Unauthenticated, authenticate, cached_principal
from api.check_types import ScenarioCode
from api.context import Context, Loaders
from api.offload import run_blocking
from api.report import TRACE_ROLES
from graph import settings
from graph.errors import QueryTimeout, StoreUnavailable
from graph.store import GraphStore
from queries import report as rep

TEMPLATES = Path(__file__).parent / "templates"

# HTTP status per GraphQL error code.
STATUS: dict[str, int] = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "INVALID_INPUT": 400, "NOT_FOUND": 404,
                          "STORE_UNAVAILABLE": 503, "QUERY_TIMEOUT": 503}

_PERSON = "id name idNumber idNumberUnmasked @include(if: $unmask)"
_ROLE_AT = "role from to title"
_MEASURE = "measure { code name nameEn mandatory basisDocument basisItem } basis { documentId number title }"
_ENTRY = ("entryId kind reason severity start end actDate status leniency repairable "
          "department { code name } document { documentId number title issuer date kind }")
_SUBJECT = f"__typename ... on Organization {{ uscc name }} ... on Person {{ {_PERSON} }}"
_PATH = "path { nodes { kind key name } relationships { type from to ratio forward } }"

# The document the page and the PDF render: everything `creditReport` answers.
REPORT_DOCUMENT = f"""
query CreditReportPage($uscc: String!, $scenario: Scenario!, $asOf: Date, $purpose: String, $trace: Boolean!,
                       $unmask: Boolean!) {{
  creditReport(subject: {{uscc: $uscc}}, scenario: $scenario, asOf: $asOf, purpose: $purpose) {{
    cover {{ title reportNumber asOf issuedAt dataVersion scenario scenarioName purpose issuer keyLabel role
             scenarioBasis {{ documentId number title }}
             subject {{ uscc name }} }}
    explanation
    overview {{
      registration {{ uscc name registrationAuthority registrationAuthorityCode category categoryCode division
                      province organizationCode organizationCodeValid status established legalForm
                      registeredCapital capitalCurrency address businessScope }}
      keyPersons {{ person {{ {_PERSON} }} current identity {{ level basis }}
                    roles {{ role roleLabel title from to heldOnAsOf }} }}
      shareholders {{ ratio amount from to identity {{ level basis }}
                      holder {{ {_SUBJECT} }} }}
      control {{ basis ratio explanation role {{ {_ROLE_AT} }}
                 controller {{ {_SUBJECT} }}
                 controlChain {{ effectiveRatio depth
                                 party {{ {_SUBJECT} }}
                                 chains {{ ratio nodes {{ kind key name }} }} }} }}
    }}
    credit {{ kind title inForceCount
      entries {{ kindLabel statusOnAsOf statusLabel inForce
                 marks {{ kind status at decidedAt text }}
                 measures {{ {_MEASURE} }}
                 entry {{ {_ENTRY} }}
                 liability @include(if: $trace) {{
                   reached {{ person {{ {_PERSON} }} role {{ {_ROLE_AT} }} heldOn reason }}
                   notReached {{ person {{ {_PERSON} }} role {{ {_ROLE_AT} }} reason }} }} }} }}
    relatedRisk {{ identity {{ level basis }} measures {{ {_MEASURE} }}
      finding {{ via effect suspended ratio reasons leniency
                 subject {{ {_SUBJECT} }}
                 role {{ {_ROLE_AT} }} tracedRole {{ {_ROLE_AT} }}
                 entry {{ {_ENTRY} }} {_PATH} }} }}
    verdict {{ verdict asOf checkedAt dataVersion evidenceHash scenarioDetail {{ code name basisDocument basisItem }}
               findings {{ via effect }} }}
    verdictLabel
    verification {{ reportNumber reportHash algorithm checkEvidenceHash verifyUrl note }}
  }}
}}"""

VERIFY_DOCUMENT = """
query VerifyReportPage($number: String!, $hash: String!) {
  verifyReport(number: $number, hash: $hash) {
    reportNumber valid reason subjectUscc issuedAt asOf scenario verdict dataVersion purpose
  }
}"""

VIA_LABELS = {"SELF": "本主体记录", "OFFICER": "现任人员本人失信", "TRACED": "责任追溯（任职期间）",
              "SHAREHOLDER": "控股股东失信"}
LEVEL_LABELS = {"CERTAIN": "身份确定", "NAME_ONLY": "仅凭姓名"}
BASIS_LABELS = {"RECORDED": "登记的实际控制人", "EQUITY": "股权穿透（合计持股超过50%）", "NONE": "未识别实际控制人"}

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)
_env.filters["pct"] = lambda v: "" if v is None else f"{float(v) * 100:.4g}%"
_env.filters["period"] = lambda r: f"{(r or {}).get('from') or '—'} 至 {(r or {}).get('to') or '今'}"
_env.globals.update(VIA_LABELS=VIA_LABELS, LEVEL_LABELS=LEVEL_LABELS, BASIS_LABELS=BASIS_LABELS,
                    ROLE_LABELS=rep.ROLE_LABELS, KIND_LABELS=rep.KIND_LABELS, STATUS_LABELS=rep.STATUS_LABELS)


class ReportError(Exception):
    def __init__(self, message: str, code: str, status: int) -> None:
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


def error_response(exc: ReportError) -> JSONResponse:
    """The GraphQL error shape, with the HTTP status of its code."""
    return JSONResponse({"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]},
                        status_code=exc.status)


async def _context(store: GraphStore, request: Request) -> Context:
    try:
        who = cached_principal(request.headers)
        if who is None:
            who = await run_blocking(authenticate, store, request.headers)
    except Unauthenticated as exc:
        raise ReportError(exc.message, exc.code, 401) from exc
    except (StoreUnavailable, QueryTimeout) as exc:
        raise ReportError(exc.message, exc.code, 503) from exc
    return Context(store=store, loaders=Loaders.create(store), principal=who)


async def _execute(context: Context, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    from api.schema import schema  # the schema imports this module's neighbours; import it when serving

    result = await schema.execute(document, variable_values=variables, context_value=context)
    if result.errors:
        error = result.errors[0]
        code = (error.extensions or {}).get("code") or "INVALID_INPUT"
        raise ReportError(error.message, code, STATUS.get(code, 500 if code == "INTERNAL_ERROR" else 400))
    assert result.data is not None
    return result.data


def _parameters(request: Request, uscc: str) -> dict[str, Any]:
    query = request.query_params
    scenario = (query.get("scenario") or "").strip()
    codes = [s.name for s in ScenarioCode]  # type: ignore[attr-defined]
    if scenario not in codes:
        raise ReportError(f"scenario: give one of {', '.join(codes)} (got {scenario!r})", "INVALID_INPUT", 400)
    as_of = (query.get("asOf") or "").strip() or None
    if as_of is not None:
        try:
            dt.date.fromisoformat(as_of)
        except ValueError:
            raise ReportError(f"asOf: an ISO date such as 2026-11-01 (got {as_of!r})", "INVALID_INPUT", 400) from None
    return {"uscc": uscc, "scenario": scenario, "asOf": as_of, "purpose": (query.get("purpose") or None)}


async def report_data(store: GraphStore, request: Request, uscc: str) -> dict[str, Any]:
    """What `creditReport` answers this caller for the request's parameters."""
    variables = _parameters(request, uscc)
    context = await _context(store, request)
    # The trace and the unmasked ID numbers are asked for only by those who may see them (the fields' own
    # permissions refuse everyone else, and register every unmasking in the access log).
    who = context.principal
    variables["trace"] = who.role in (*TRACE_ROLES, ADMIN)
    variables["unmask"] = bool(who.unmask and who.role in MAY_UNMASK and variables["purpose"])
    data = await _execute(context, REPORT_DOCUMENT, variables)
    report: dict[str, Any] = data["creditReport"]
    return report


def render_html(report: dict[str, Any], *, for_print: bool = False) -> str:
    return _env.get_template("report.html").render(r=report, print=for_print, font=settings.REPORT_FONT_FILE)


def render_pdf(report: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported when a PDF is asked for: it loads Pango

    pdf: bytes = HTML(string=render_html(report, for_print=True), base_url=str(TEMPLATES)).write_pdf()
    return pdf


def _headers(report: dict[str, Any], extension: str) -> dict[str, str]:
    number = report["verification"]["reportNumber"]
    return {"X-Report-Number": number, "X-Report-Hash": report["verification"]["reportHash"],
            "Content-Disposition": f'inline; filename="{number}.{extension}"', "Cache-Control": "no-store"}


def routes(holder: dict[str, GraphStore]) -> list[Any]:
    from starlette.routing import Route

    async def report(request: Request) -> Response:
        name = request.path_params["name"]
        stem, _, extension = name.rpartition(".")
        try:
            if extension not in ("html", "pdf") or not stem:
                raise ReportError(f"/reports/{name}: ask for /reports/<USCC>.html or /reports/<USCC>.pdf",
                                  "NOT_FOUND", 404)
            data = await report_data(holder["store"], request, stem)
        except ReportError as exc:
            return error_response(exc)
        if extension == "html":
            return HTMLResponse(render_html(data), headers=_headers(data, "html"))
        pdf = await run_blocking(render_pdf, data)  # CPU-bound: off the event loop
        return Response(pdf, media_type="application/pdf", headers=_headers(data, "pdf"))

    async def verify(request: Request) -> Response:
        number = (request.query_params.get("number") or "").strip()
        given = (request.query_params.get("hash") or "").strip()
        result = None
        if number or given:
            try:
                context = await _context(holder["store"], request)
                result = (await _execute(context, VERIFY_DOCUMENT, {"number": number, "hash": given}))["verifyReport"]
            except ReportError as exc:
                if exc.status != 400:
                    return error_response(exc)
                result = {"valid": False, "reason": exc.message, "reportNumber": number}
        page = _env.get_template("verify.html").render(result=result, number=number, hash=given)
        return HTMLResponse(page, status_code=200)

    return [Route("/reports/verify", verify), Route("/reports/{name}", report)]


__all__ = ["REPORT_DOCUMENT", "ReportError", "render_html", "render_pdf", "report_data", "routes"]
