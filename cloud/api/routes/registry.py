"""The registry of offices (``cloud.registry``): read with ``fleet.read``, changed with ``registry.manage``.

Every change answers the office as it now is, with its new ``version``;
``GET …/export`` is the hub's firmware file generated from it.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from cloud.api.deps import ActorDep, DossiersDep, allow
from cloud.api.errors import ApiError, responses
from cloud.domain.access import Permission as P
from cloud.registry import OfficeRecord, RegistryError, RegistryStore, UnknownOffice, office_yaml
from protocol.office_config import FieldConfig, LocalDayOff
from workdays import OfficeHours

router = APIRouter(prefix="/registry", tags=["registry"])
READ = [allow(P.fleet_read)]
CHANGE = [allow(P.registry_manage)]
OfficeId = Annotated[str, Path(max_length=63, description="Office id, e.g. sai-gon", examples=["sai-gon"])]
Number = Annotated[int, Path(ge=1, le=999, description="Counter number", examples=[1])]


async def get_registry(request: Request) -> RegistryStore:
    return cast(RegistryStore, request.app.state.registry)


RegistryDep = Annotated[RegistryStore, Depends(get_registry)]


class UnitView(BaseModel):
    code: str
    name: str


class OfficerView(BaseModel):
    username: str
    full_name: str
    unit: str
    counters: list[int] = Field(description="Counters they may sit at; empty: any counter of the office.")


class CounterView(BaseModel):
    number: int
    fields: list[str]
    led_address: int | None
    keypad: dict[str, int] | None


class RegistryOfficeView(BaseModel):
    id: str = Field(examples=["sai-gon"])
    name: str = Field(examples=["UBND phường Sài Gòn"])
    timezone: str
    version: int
    unit: UnitView | None
    hours: OfficeHours
    days_off: list[LocalDayOff]
    fields: list[FieldConfig]
    counters: list[CounterView]
    officers: list[OfficerView]
    hub: bool = Field(description="Whether the office's hub section is recorded (else export writes defaults).")


class OfficeCreate(BaseModel):
    office: str = Field(max_length=63, description="The unit's office id in the province data.",
                        examples=["sai-gon"])
    name: str | None = Field(default=None, max_length=200, description="Default: the province data's office name.")
    timezone: str = "Asia/Ho_Chi_Minh"


class FieldChange(BaseModel):
    name: str | None = Field(default=None, max_length=80, examples=["Hộ tịch"])
    prefix: str | None = Field(default=None, max_length=3, examples=["A"])
    catalogue: list[str] | None = Field(default=None, max_length=50, examples=[["ho_tich"]],
                                        description="Fields of the procedure catalogue this queue field serves.")


class CounterChange(BaseModel):
    fields: list[str] = Field(min_length=1, max_length=50, examples=[["ho-tich", "chung-thuc"]])


class Assignment(BaseModel):
    counters: list[Annotated[int, Field(ge=1, le=999)]] = Field(default_factory=list, max_length=999,
                                                                  examples=[[1]])


def _view(record: OfficeRecord) -> RegistryOfficeView:
    office = record.office
    return RegistryOfficeView(
        id=office.office.id, name=office.office.name, timezone=office.office.timezone, version=office.version,
        unit=UnitView(code=record.unit.code, name=record.unit.name) if record.unit else None,
        hours=office.hours, days_off=office.days_off, fields=office.fields,
        counters=[CounterView(number=c.number, fields=c.fields, led_address=c.led_address,
                              keypad=c.keypad.model_dump() if c.keypad else None) for c in office.counters],
        officers=[OfficerView(username=o.username, full_name=o.full_name, unit=o.unit, counters=list(o.counters))
                  for o in record.officers],
        hub=office.hub is not None)


def _refused(exc: RegistryError) -> ApiError:
    if isinstance(exc, UnknownOffice):
        return ApiError(404, "office_not_found", str(exc), "Không tìm thấy bộ phận một cửa trong danh mục.")
    return ApiError(422, "registry_refused", str(exc), "Thay đổi danh mục bộ phận một cửa không hợp lệ.")


async def _run(dossiers: DossiersDep | None, call: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        result = await run_in_threadpool(call, *args, **kwargs)
    except RegistryError as exc:
        raise _refused(exc) from None
    if dossiers is not None:
        dossiers.offices_changed()  # the hours may have changed: deadlines follow the registry
    return result


@router.get("/offices", dependencies=READ, response_model=list[RegistryOfficeView])
async def list_offices(registry: RegistryDep) -> list[RegistryOfficeView]:
    """Every office of the registry with its unit, fields, counters and officers."""
    return [_view(r) for r in await run_in_threadpool(registry.list)]


@router.get("/offices/{office}", dependencies=READ, response_model=RegistryOfficeView, responses=responses(404))
async def show_office(office: OfficeId, registry: RegistryDep) -> RegistryOfficeView:
    return _view(await _run(None, registry.show, office))


@router.get("/offices/{office}/export", dependencies=READ, response_class=PlainTextResponse,
            responses={**responses(404, 422), 200: {"content": {"application/yaml": {}}}})
async def export_office(office: OfficeId, registry: RegistryDep) -> PlainTextResponse:
    """The hub's firmware file (``firmware_configs/{office}.yaml``) generated from the registry."""
    current = await _run(None, registry.get, office)
    try:
        text = office_yaml(current)
    except RegistryError as exc:
        raise _refused(exc) from None
    return PlainTextResponse(text, media_type="application/yaml")


@router.post("/offices", dependencies=CHANGE, status_code=201, response_model=RegistryOfficeView,
             responses=responses(422))
async def add_office(body: OfficeCreate, registry: RegistryDep, dossiers: DossiersDep) -> RegistryOfficeView:
    """Register the one-stop office of a unit of the province data; its hours are the unit's."""
    return _view(await _run(dossiers, registry.add_office, body.office, name=body.name, timezone=body.timezone))


@router.put("/offices/{office}/fields/{field}", dependencies=CHANGE, response_model=RegistryOfficeView,
            responses=responses(404, 422))
async def set_field(office: OfficeId, field: Annotated[str, Path(max_length=63, examples=["ho-tich"])],
                    body: FieldChange, registry: RegistryDep, dossiers: DossiersDep) -> RegistryOfficeView:
    """Add a queue field (name and prefix needed) or change it."""
    await _run(dossiers, registry.set_field, office, field, name=body.name, prefix=body.prefix,
               catalogue=body.catalogue)
    return _view(await _run(None, registry.show, office))


@router.put("/offices/{office}/counters/{counter}", dependencies=CHANGE, response_model=RegistryOfficeView,
            responses=responses(404, 422))
async def set_counter(office: OfficeId, counter: Number, body: CounterChange, registry: RegistryDep,
                      dossiers: DossiersDep, actor: ActorDep) -> RegistryOfficeView:
    """Add a counter or change the queue fields it serves."""
    await _run(dossiers, registry.set_counter, office, counter, body.fields, by=actor)
    return _view(await _run(None, registry.show, office))


@router.delete("/offices/{office}/counters/{counter}", dependencies=CHANGE, response_model=RegistryOfficeView,
               responses=responses(404, 422))
async def remove_counter(office: OfficeId, counter: Number, registry: RegistryDep,
                         dossiers: DossiersDep, actor: ActorDep) -> RegistryOfficeView:
    await _run(dossiers, registry.remove_counter, office, counter, by=actor)
    return _view(await _run(None, registry.show, office))


@router.put("/offices/{office}/hours", dependencies=CHANGE, response_model=RegistryOfficeView,
            responses=responses(404, 422))
async def set_hours(office: OfficeId, body: OfficeHours, registry: RegistryDep,
                    dossiers: DossiersDep, actor: ActorDep) -> RegistryOfficeView:
    """The office's one schedule: its hub's queue (after export), its counters and its deadlines follow it."""
    await _run(dossiers, registry.set_hours, office, body, by=actor)
    return _view(await _run(None, registry.show, office))


@router.put("/offices/{office}/officers/{username}", dependencies=CHANGE, response_model=RegistryOfficeView,
            responses=responses(404, 422))
async def assign_officer(office: OfficeId, username: Annotated[str, Path(max_length=64, examples=["tn.lan"])],
                         body: Assignment, registry: RegistryDep, dossiers: DossiersDep,
                         actor: ActorDep) -> RegistryOfficeView:
    """Assign an officer of the office's administration to some of its counters (none listed: any)."""
    return _view(await _run(dossiers, registry.assign, office, username, body.counters, by=actor))


@router.delete("/offices/{office}/officers/{username}", dependencies=CHANGE, response_model=RegistryOfficeView,
               responses=responses(404, 422))
async def unassign_officer(office: OfficeId, username: Annotated[str, Path(max_length=64)], registry: RegistryDep,
                           dossiers: DossiersDep, actor: ActorDep) -> RegistryOfficeView:
    return _view(await _run(dossiers, registry.unassign, office, username, by=actor))
