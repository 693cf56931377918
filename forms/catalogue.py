"""The service catalogue: what each service needs, who handles it, and the policy behind it.

The catalogue is a TOML file a supervisor can read and edit (`forms/catalogue.toml` by default).
It is checked in full on load; every problem is reported with the service and field at fault,
so a bad edit never reaches the counter half-understood.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forms.errors import CounterError
from forms.people import HEAD_CODES, RELATION_CODES, RELATION_GROUPS, relation_group_text
from forms.status import SIDE_LABELS, Side

DEFAULT_PATH = Path(__file__).with_name("catalogue.toml")

SIDES = SIDE_LABELS  # side value -> label, one table (forms.status)
PERMIT_ACTIONS = ("issue", "endorse", "replace")


@dataclass(frozen=True)
class Document:
    name: str
    copies: int
    issuer: str
    note: str = ""
    min_age: int | None = None
    max_age: int | None = None

    def applies_to_age(self, age: int | None) -> bool:
        """Some documents are asked only of children or only of adults."""
        if age is None:
            return self.min_age is None and self.max_age is None
        if self.min_age is not None and age < self.min_age:
            return False
        return not (self.max_age is not None and age > self.max_age)


@dataclass(frozen=True)
class Conditions:
    min_age: int | None = None
    max_age: int | None = None
    min_residence_years: int | None = None
    relations: tuple[str, ...] = ()  # GB/T 4761 codes ("02") or one-digit groups ("2")
    text: tuple[str, ...] = ()

    def describe(self) -> list[str]:
        """Every condition in words, for the one-time notification slip."""
        lines: list[str] = []
        if self.min_age is not None and self.max_age is not None:
            lines.append(f"当事人年龄在{self.min_age}至{self.max_age}周岁之间")
        elif self.min_age is not None:
            lines.append(f"当事人年满{self.min_age}周岁")
        elif self.max_age is not None:
            lines.append(f"当事人未满{self.max_age + 1}周岁")
        if self.min_residence_years:
            lines.append(f"在本社区连续居住满{self.min_residence_years}年（以居住证记载为准）")
        if self.relations:
            lines.append("由" + relation_group_text(self.relations) + "办理")
        lines.extend(self.text)
        return lines


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    category: str
    side: str
    time_limit: int
    basis: str
    documents: tuple[Document, ...]
    conditions: Conditions = field(default_factory=Conditions)
    department: str = ""
    permit_action: str = ""
    needs_permit: bool = True
    in_permit_scope: bool = True
    fee_yuan: float = 0.0

    @property
    def side_label(self) -> str:
        return SIDES[self.side]

    def required_documents(self, age: int | None) -> list[Document]:
        return [d for d in self.documents if d.applies_to_age(age)]


@dataclass(frozen=True)
class Catalogue:
    title: str
    version: str
    guide: str
    county_code: str
    permit_authority: str
    services: tuple[Service, ...]
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", _index(self.services))

    def find(self, name_or_code: str) -> Service:
        """Look a service up by code (any case) or exact Chinese name."""
        key = (name_or_code or "").strip()
        index: dict[str, Service] = self._by_key  # type: ignore[attr-defined]
        service = index.get(key) or index.get(key.upper())
        if service is None:
            near = [s for s in self.services if key and key in s.name]
            hint = "；可能是：" + "、".join(f"{s.code} {s.name}" for s in near[:5]) if near else ""
            raise CounterError(
                f"服务事项目录中没有“{key}”{hint}（可用 catalog list 查看全部事项）",
                f"no service '{key}' in the catalogue (see 'catalog list')",
            )
        return service

    def permit_service(self, action: str) -> Service:
        for service in self.services:
            if service.permit_action == action:
                return service
        raise CounterError(
            f"服务事项目录缺少居住证事项（{action}）",
            f"the catalogue has no residence-permit service for '{action}'",
        )


def _index(services: tuple[Service, ...]) -> dict[str, Service]:
    index: dict[str, Service] = {}
    for service in services:
        index[service.code.upper()] = service
        index[service.name] = service
    return index


class CatalogueError(CounterError):
    """A catalogue file that cannot be used, with every problem found (the message shows the
    first few; `problems` holds them all, each as "where: what")."""

    def __init__(self, zh: str, en: str, problems: list[str] | tuple[str, ...]) -> None:
        super().__init__(zh, en)
        self.problems = tuple(problems)


class _Problems:
    """Collects every problem in the file so the supervisor sees them all at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.items.append(f"{where}: {what}")


def _int(value: Any, where: str, problems: _Problems, *, minimum: int = 0) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        problems.add(where, f"应为不小于{minimum}的整数 / must be an integer >= {minimum}")
        return None
    return value


def _text(value: Any, where: str, problems: _Problems, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        problems.add(where, "缺少文字内容 / text missing")
        return ""
    return value.strip()


def _document(raw: Any, where: str, problems: _Problems) -> Document | None:
    if not isinstance(raw, dict):
        problems.add(where, "材料应写成表 {name, copies, issuer} / a document must be a table")
        return None
    unknown = set(raw) - {"name", "copies", "issuer", "note", "min_age", "max_age"}
    if unknown:
        problems.add(where, f"未知字段 / unknown fields: {', '.join(sorted(unknown))}")
    copies = _int(raw.get("copies"), f"{where}.copies", problems, minimum=1)
    if raw.get("copies") is None:
        problems.add(f"{where}.copies", "缺少份数 / copies missing")
    return Document(
        name=_text(raw.get("name"), f"{where}.name", problems),
        copies=copies or 1,
        issuer=_text(raw.get("issuer"), f"{where}.issuer", problems),
        note=_text(raw.get("note"), f"{where}.note", problems, required=False),
        min_age=_int(raw.get("min_age"), f"{where}.min_age", problems),
        max_age=_int(raw.get("max_age"), f"{where}.max_age", problems),
    )


def _conditions(raw: Any, where: str, problems: _Problems) -> Conditions:
    if raw is None:
        return Conditions()
    if not isinstance(raw, dict):
        problems.add(where, "条件应写成表 / conditions must be a table")
        return Conditions()
    allowed = {"min_age", "max_age", "min_residence_years", "relations", "text"}
    unknown = set(raw) - allowed
    if unknown:
        problems.add(where, f"未知条件 / unknown conditions: {', '.join(sorted(unknown))}")
    relations = raw.get("relations", [])
    text = raw.get("text", [])
    for name, value in (("relations", relations), ("text", text)):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            problems.add(f"{where}.{name}", "应为文字列表 / must be a list of strings")
    if isinstance(relations, list):
        for value in relations:
            if isinstance(value, str) and value and not _relation_ok(value):
                problems.add(
                    f"{where}.relations",
                    f'“{value}”应为家庭关系代码（GB/T 4761，如 "02" 户主）或一位分组码'
                    f'（如 "2" 子、"7" 兄弟姐妹） / must be a GB/T 4761 code or group digit',
                )
    min_age = _int(raw.get("min_age"), f"{where}.min_age", problems)
    max_age = _int(raw.get("max_age"), f"{where}.max_age", problems)
    if min_age is not None and max_age is not None and min_age > max_age:
        problems.add(where, "min_age 大于 max_age / min_age exceeds max_age")
    return Conditions(
        min_age=min_age,
        max_age=max_age,
        min_residence_years=_int(
            raw.get("min_residence_years"), f"{where}.min_residence_years", problems, minimum=1
        ),
        relations=tuple(relations) if isinstance(relations, list) else (),
        text=tuple(text) if isinstance(text, list) else (),
    )


def _relation_ok(value: str) -> bool:
    """A condition names relations by code or group, never by a word a register may vary."""
    return value in RELATION_CODES or value in RELATION_GROUPS or value in HEAD_CODES


SERVICE_FIELDS = {
    "code", "name", "category", "side", "department", "time_limit", "basis", "documents",
    "conditions", "permit_action", "needs_permit", "in_permit_scope", "fee_yuan",
}  # fmt: skip


def _service(raw: Any, where: str, problems: _Problems) -> Service | None:
    if not isinstance(raw, dict):
        problems.add(where, "事项应写成 [[service]] 表 / a service must be a table")
        return None
    name = raw.get("name")
    where = f"{where}（{name}）" if isinstance(name, str) else where
    unknown = set(raw) - SERVICE_FIELDS
    if unknown:
        problems.add(where, f"未知字段 / unknown fields: {', '.join(sorted(unknown))}")
    side = raw.get("side")
    if side not in SIDES:
        problems.add(f"{where}.side", f"应为 {'/'.join(SIDES)} / must be one of {', '.join(SIDES)}")
        side = Side.HERE
    department = _text(raw.get("department"), f"{where}.department", problems, required=False)
    if side == "forward" and not department:
        problems.add(
            f"{where}.department", "代收转办事项须写明承办部门 / forward needs a department"
        )
    permit_action = raw.get("permit_action", "")
    if permit_action and permit_action not in PERMIT_ACTIONS:
        problems.add(
            f"{where}.permit_action",
            f"应为 {'/'.join(PERMIT_ACTIONS)} / must be one of {', '.join(PERMIT_ACTIONS)}",
        )
    time_limit = _int(raw.get("time_limit"), f"{where}.time_limit", problems)
    if raw.get("time_limit") is None:
        problems.add(f"{where}.time_limit", "缺少承诺时限 / time_limit missing")
    raw_docs = raw.get("documents")
    if not isinstance(raw_docs, list) or not raw_docs:
        problems.add(f"{where}.documents", "至少列出一项材料 / at least one document")
        raw_docs = []
    documents = [_document(d, f"{where}.documents[{i}]", problems) for i, d in enumerate(raw_docs)]
    names = [d.name for d in documents if d]
    if len(set(names)) != len(names):
        problems.add(f"{where}.documents", "材料名称重复 / duplicate document names")
    for flag in ("needs_permit", "in_permit_scope"):
        if flag in raw and not isinstance(raw[flag], bool):
            problems.add(f"{where}.{flag}", "应为 true 或 false / must be true or false")
    fee = raw.get("fee_yuan", 0)
    if not isinstance(fee, int | float) or isinstance(fee, bool) or fee < 0:
        problems.add(f"{where}.fee_yuan", "应为非负数 / must be a non-negative number")
        fee = 0
    needs_permit_default = side != "origin" and not permit_action
    return Service(
        code=_text(raw.get("code"), f"{where}.code", problems),
        name=_text(name, f"{where}.name", problems),
        category=_text(raw.get("category"), f"{where}.category", problems),
        side=Side(side),
        department=department,
        time_limit=time_limit or 0,
        basis=_text(raw.get("basis"), f"{where}.basis", problems),
        documents=tuple(d for d in documents if d),
        conditions=_conditions(raw.get("conditions"), f"{where}.conditions", problems),
        permit_action=permit_action or "",
        needs_permit=bool(raw.get("needs_permit", needs_permit_default)),
        in_permit_scope=bool(raw.get("in_permit_scope", True)),
        fee_yuan=float(fee),
    )


def parse_catalogue(data: dict[str, Any], source: str = "") -> Catalogue:
    """Build and check a catalogue from parsed TOML; raise with every problem listed."""
    problems = _Problems()
    meta = data.get("meta", {})
    if not isinstance(meta, dict):
        problems.add("meta", "应为表 / must be a table")
        meta = {}
    raw_services = data.get("service")
    if not isinstance(raw_services, list) or not raw_services:
        problems.add("service", "没有任何 [[service]] 事项 / no [[service]] entries")
        raw_services = []
    services = [_service(raw, f"service[{i}]", problems) for i, raw in enumerate(raw_services)]
    checked = tuple(s for s in services if s)
    seen: dict[str, str] = {}
    for service in checked:
        for key in (service.code.upper(), service.name):
            if key in seen:
                problems.add(service.name, f"代码或名称“{key}”重复 / duplicate code or name")
            seen[key] = service.name
    for action in PERMIT_ACTIONS:
        if not any(s.permit_action == action for s in checked):
            problems.add(
                "service",
                f'缺少居住证事项 permit_action = "{action}" / no service with this permit_action',
            )
    catalogue_meta = {
        key: _text(meta.get(key), f"meta.{key}", problems)
        for key in ("title", "version", "guide", "county_code", "permit_authority")
    }
    if problems.items:
        shown = "；".join(problems.items[:8])
        more = f"（另有{len(problems.items) - 8}处）" if len(problems.items) > 8 else ""
        raise CatalogueError(
            f"服务事项目录 {source} 有{len(problems.items)}处错误：{shown}{more}",
            f"service catalogue {source} has {len(problems.items)} problem(s): {shown}",
            problems.items,
        )
    return Catalogue(services=checked, source=source, **catalogue_meta)


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    """Read and check the catalogue file (the packaged one unless a path is given)."""
    file = Path(path) if path else DEFAULT_PATH
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(
            f"无法读取服务事项目录 {file}：{exc.strerror or exc}",
            f"cannot read service catalogue {file}: {exc.strerror or exc}",
            [f"{file}: {exc.strerror or exc}"],
        ) from None
    except UnicodeDecodeError as exc:
        raise CatalogueError(
            f"服务事项目录 {file} 不是 UTF-8 编码",
            f"service catalogue {file} is not UTF-8",
            [f"{file}: 第{exc.start + 1}个字节起不是 UTF-8 / not UTF-8 from byte {exc.start + 1}"],
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(
            f"服务事项目录 {file} 格式错误：{exc}",
            f"service catalogue {file} is not valid TOML: {exc}",
            [f"{file}: {exc}"],
        ) from None
    return parse_catalogue(data, source=str(file))
