"""ziyang-counter: the command line of the Ziyang relocation service counter.

Thin on purpose: options are parsed here, the work is done by `db/` operations, and the desk
(Textual) is imported only by the command that starts it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup

from forms.errors import CounterError

if TYPE_CHECKING:  # only for annotations: the CLI imports db and forms inside each command
    from db.setup import Desk
    from forms.catalogue import Catalogue

F = TypeVar("F", bound=Callable[..., Any])


class CounterGroup(TyperGroup):
    """Turns usage errors into one line in Chinese and English, never a traceback."""

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        undecodable = undecodable_input(argv)
        if undecodable:
            zh, en = undecodable
            if "--json" in argv:
                typer.echo(json.dumps({"error": {"zh": zh, "en": en}}, ensure_ascii=False))
            typer.echo(f"错误：{zh} / Error: {en}", err=True)
            sys.exit(2)
        try:
            result = super().main(
                args=args,
                prog_name=prog_name,
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except typer.TyperException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError" and getattr(exc, "ctx", None):
                typer.echo(exc.ctx.get_help())  # type: ignore[attr-defined]
                sys.exit(0)
            typer.echo(usage_line(exc), err=True)
            sys.exit(getattr(exc, "exit_code", 2))
        except typer.Abort:
            typer.echo("已取消 / Aborted", err=True)
            sys.exit(1)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


def undecodable_input(argv: list[str]) -> tuple[str, str] | None:
    """Invalid UTF-8 in argv or a ZIYANG_* variable (Python keeps it as lone surrogates, which
    no database or terminal accepts): name where it is, once, before any command runs."""
    import os

    for number, arg in enumerate(argv, 1):
        if not is_encodable(arg):
            return (
                f"第{number}个参数含有无效的 UTF-8 字节，请检查终端或脚本的编码（应为 UTF-8）",
                f"argument {number} is not valid UTF-8; check the terminal or script encoding",
            )
    for name in sorted(os.environ):
        if name.startswith("ZIYANG_") and not is_encodable(os.environ[name]):
            return (
                f"环境变量 {name} 含有无效的 UTF-8 字节，请重新设置（应为 UTF-8）",
                f"the environment variable {name} is not valid UTF-8; set it again in UTF-8",
            )
    return None


def is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str) -> str:
    """Text safe to print: bytes that were not UTF-8 (lone surrogates) become U+FFFD."""
    if is_encodable(text):
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that did not come from a byte
        raw = text.encode("utf-8", "replace")
    return raw.decode("utf-8", "replace")


USAGE_ZH = {
    "MissingParameter": "缺少必填参数",
    "NoSuchOption": "没有这个选项",
    "BadParameter": "参数值无效",
    "BadOptionUsage": "选项用法错误",
    "BadArgumentUsage": "参数用法错误",
}


def usage_line(exc: Exception) -> str:
    from forms.text import neutralise

    zh = USAGE_ZH.get(type(exc).__name__, "命令用法错误")
    en = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    # echoes what was typed: no undecodable bytes, no raw control or bidi characters
    en = neutralise(printable(" ".join(en.split())))
    return f"错误：{zh}（{en}），可加 --help 查看用法 / Error: {en} (see --help)"


app = typer.Typer(
    cls=CounterGroup,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="紫阳县搬迁群众社区服务窗口 / Ziyang relocation service counter.",
)
household_app = typer.Typer(help="搬迁户 / households", no_args_is_help=True)
person_app = typer.Typer(help="搬迁群众 / persons", no_args_is_help=True)
permit_app = typer.Typer(help="居住证 / residence permits", no_args_is_help=True)
request_app = typer.Typer(help="办件 / service requests", no_args_is_help=True)
catalog_app = typer.Typer(help="服务事项目录 / service catalogue", no_args_is_help=True)
staff_app = typer.Typer(help="工作人员 / staff", no_args_is_help=True)
print_app = typer.Typer(help="打印（PDF 或打印机）/ printouts", no_args_is_help=True)
app.add_typer(household_app, name="household")
app.add_typer(person_app, name="person")
app.add_typer(permit_app, name="permit")
app.add_typer(request_app, name="request")
app.add_typer(catalog_app, name="catalog")
app.add_typer(staff_app, name="staff")
app.add_typer(print_app, name="print")


@dataclass
class Session:
    """What the global options chose; the database is opened on first use."""

    db_url: str | None
    catalog_path: str | None
    staff_code: str | None
    community: str | None = None
    counter_no: int | None = None
    _opened: bool = field(default=False)

    def __post_init__(self) -> None:
        CURRENT_SESSION.set(self)  # for helpers called without the typer context

    def open(self, *, ready: bool = True, create: bool = False) -> None:
        """Open the database; only init and demo may `create` the file (and its folder)."""
        from db import default_url, open_database
        from db.setup import ensure_ready

        if not self._opened:
            open_database(self.db_url or default_url(), create=create)
            self._opened = True
        if ready:
            ensure_ready()

    def catalogue(self) -> Catalogue:
        from forms.catalogue import load_catalogue

        return load_catalogue(self.catalog_path)

    def desk(self, community: str | None = None) -> Desk:
        import unicodedata

        from db.setup import load_desk

        if self.staff_code is not None:  # an empty --staff / ZIYANG_STAFF= is a mistake, not 001
            self.staff_code = unicodedata.normalize("NFKC", self.staff_code).strip()
            if not self.staff_code:
                raise CounterError(
                    "工作人员编号为空（--staff 或 ZIYANG_STAFF），请填写工号或不设置该项",
                    "the staff code (--staff or ZIYANG_STAFF) is empty: give a code or unset it",
                )
        self.open()
        return load_desk(self.staff_code, community or self.community, self.counter_no)


CURRENT_SESSION: ContextVar[Session | None] = ContextVar("current_session", default=None)


def session(ctx: typer.Context) -> Session:
    obj = ctx.find_root().obj
    assert isinstance(obj, Session)
    return obj


JsonOpt = Annotated[bool, typer.Option("--json", help="输出一个 JSON 对象 / print one JSON object")]
DateOpt = Annotated[
    str | None,
    typer.Option("--date", help="以该日为“今天”（补录、测试）YYYY-MM-DD / treat this day as today"),
]
IdOpt = Annotated[str, typer.Option("--id-number", help="公民身份号码 / citizen ID number")]
ProvidedOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--provided",
        help="已收材料（名称或序号，可重复、可逗号分隔；all = 全部）/ documents handed in",
    ),
]
NoteOpt = Annotated[str, typer.Option("--note", help="办理说明 / note")]
YesOpt = Annotated[bool, typer.Option("--yes", help="不再询问，直接执行 / do not ask to confirm")]


def pad(text: str, cells: int) -> str:
    """Left-align in terminal cells: a Chinese character takes two, so columns line up."""
    from rich.cells import cell_len

    return text + " " * max(0, cells - cell_len(text))


# The clock the CLI reads "today" from; tests pin it (tests/conftest.py `cli`).
CLOCK: Callable[[], dt.date] = dt.date.today


def today_from(raw: str | None, *, bounded: bool = True) -> dt.date:
    """The business day: the clock's today, or --date.

    A --date may not be after today nor further back than the back-dating window a supervisor
    sets (settings key backdate_days, default 30 days); `bounded=False` is for filters that
    only select past records by day.
    """
    from forms.dates import check_business_day
    from forms.people import parse_date

    today = CLOCK()
    day = parse_date(raw, "日期（--date）", default=today)
    if bounded and day != today:
        from db.setup import backdate_window

        current = CURRENT_SESSION.get()
        if current is not None:
            current.open()
        check_business_day(day, today, backdate_window())
    return day


def emit(as_json: bool, data: dict[str, Any], lines: list[str] | str) -> None:
    """Print the result; stored text is neutralised (no raw ESC, CR or bidi control reaches
    the terminal), and the JSON stays the same JSON."""
    from forms.text import neutralise, neutralise_json

    if as_json:
        typer.echo(neutralise_json(json.dumps(data, ensure_ascii=False, indent=2, default=str)))
    else:
        items = [lines] if isinstance(lines, str) else lines
        typer.echo("\n".join(neutralise(line) for line in items))


def guarded(func: F) -> F:
    """Every command: bad input and refusals become one clear line and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import peewee

        as_json = bool(kwargs.get("as_json"))
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except CounterError as exc:
            fail(as_json, exc.zh, exc.en)
        except peewee.IntegrityError as exc:
            from db.errors import translate

            error = translate(exc)
            fail(as_json, error.zh, error.en)
        except peewee.DatabaseError as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            fail(
                as_json,
                f"数据库错误，未保存任何更改：{first}",
                f"database error, nothing saved: {first}",
            )
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            reason = exc.strerror or str(exc)
            fail(as_json, f"文件读写失败{where}：{reason}", f"file error{where}: {reason}")
        except Exception as exc:  # a bug of ours: one line for the officer, details in the log
            if isinstance(exc, UnicodeEncodeError) and "surrogate" in exc.reason:
                fail(  # bytes that were not UTF-8 reached a value (a file, a prompt answer)
                    as_json,
                    "输入含有无效的 UTF-8 字节，请检查终端或脚本的编码（应为 UTF-8）",
                    "the input is not valid UTF-8; check the terminal or script encoding",
                )
            log = record_crash(exc)
            fail(
                as_json,
                f"程序内部错误，本次操作未完成（{type(exc).__name__}），详情已记录到 {log}，请联系维护人员",
                f"internal error ({type(exc).__name__}: {exc}); details in {log}",
            )

    return wrapper  # type: ignore[return-value]


def record_crash(exc: Exception) -> str:
    """Append the traceback to errors.log in the data folder; return where it went."""
    import traceback

    from db.connection import data_dir

    path = data_dir() / "errors.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {dt.datetime.now().isoformat(sep=' ', timespec='seconds')}\n")
            log.write("".join(traceback.format_exception(exc)))
    except OSError:
        return "(无法写入日志 / log not writable)"
    return str(path)


def fail(as_json: bool, zh: str, en: str) -> None:
    """One line on stderr (and a JSON error on stdout); messages echo input, so neutralise."""
    from forms.text import neutralise, neutralise_json

    zh, en = printable(zh), printable(en)
    if as_json:
        typer.echo(neutralise_json(json.dumps({"error": {"zh": zh, "en": en}}, ensure_ascii=False)))
    typer.echo(f"错误：{neutralise(zh)} / Error: {neutralise(en)}", err=True)
    raise typer.Exit(1)


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="ZIYANG_DB",
            help="数据库地址 sqlite:///文件 或 postgresql://用户@主机:5432/库名 / database URL",
        ),
    ] = None,
    catalog: Annotated[
        str | None,
        typer.Option(
            "--catalog", envvar="ZIYANG_CATALOG", help="服务事项目录文件 / catalogue TOML"
        ),
    ] = None,
    staff: Annotated[
        str | None,
        typer.Option("--staff", envvar="ZIYANG_STAFF", help="工作人员编号 / staff code"),
    ] = None,
    desk_community: Annotated[
        str | None,
        typer.Option(
            "--desk-community",
            envvar="ZIYANG_COMMUNITY",
            help="本机窗口所在社区（共用数据库时每台窗口机设置）/ this machine's community",
        ),
    ] = None,
    desk_counter: Annotated[
        int | None,
        typer.Option(
            "--desk-counter",
            envvar="ZIYANG_COUNTER",
            help="本机窗口号（共用数据库时每台窗口机设置）/ this machine's counter number",
        ),
    ] = None,
) -> None:
    """紫阳县搬迁群众社区服务窗口 / Ziyang relocation service counter."""
    import os

    if staff is None and "ZIYANG_STAFF" in os.environ:
        staff = os.environ["ZIYANG_STAFF"]  # click drops an empty variable: keep it, refuse it
    ctx.obj = Session(
        db_url=db,
        catalog_path=catalog,
        staff_code=staff,
        community=desk_community,
        counter_no=desk_counter,
    )
    if ctx.invoked_subcommand is None:
        typer.echo(desk_guide(db))


def desk_guide(db_url: str | None) -> str:
    from db import default_url
    from db.connection import safe_url

    url = safe_url(db_url or default_url())
    return "\n".join(
        [
            "紫阳县搬迁群众社区服务窗口 ziyang-counter",
            f"数据库 / database: {url}",
            "",
            "窗口桌面（文字界面）正在开发中，目前请用命令行办理 / The desk is coming; use the CLI:",
            "  ziyang-counter init --community 社区名 --counter 1      初始化本窗口",
            "  ziyang-counter demo --no-tui                            生成演示数据",
            "  ziyang-counter catalog list                             服务事项目录",
            "  ziyang-counter person show --id-number 身份证号          查看搬迁群众",
            "  ziyang-counter check --id-number 身份证号 --service 事项  办理前核验",
            "  ziyang-counter request list                             今日办件",
            "  ziyang-counter --help                                   全部命令",
        ]
    )


# ───────────────────────────── init / demo ─────────────────────────────


@app.command("init")
@guarded
def init_cmd(
    ctx: typer.Context,
    community: Annotated[
        str | None,
        typer.Option("--community", help="本窗口所在迁入社区 / this counter's community"),
    ] = None,
    counter: Annotated[
        int | None, typer.Option("--counter", help="窗口号 / counter number")
    ] = None,
    office_code: Annotated[
        str | None, typer.Option("--office-code", help="受理编号前缀 / ticket prefix")
    ] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", help="咨询电话（印在回执和告知单上）/ hall phone")
    ] = None,
    reconfigure: Annotated[
        bool,
        typer.Option(
            "--reconfigure",
            help="更改已初始化数据库的社区、窗口号或前缀（影响所有未自行设置的窗口机）"
            "/ change the stored default community, counter or office code",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """初始化或升级数据库并设置本窗口（可重复运行）/ create or upgrade the database."""
    from db.connection import shown_location
    from db.setup import init_counter

    s = session(ctx)
    s.open(ready=False, create=True)
    result = init_counter(community, counter, office_code, phone, reconfigure=reconfigure)
    emit(
        as_json,
        result,
        [
            f"已就绪：{result['community']} {result['counter']}号窗口（受理编号前缀 {result['office_code']}）",
            f"Ready: {result['community']}, counter {result['counter']}",
            f"数据库 / database: {shown_location()}",  # where a relative sqlite:/// path landed
            *receipt_key_notes(result),
        ],
    )


@app.command("demo")
@guarded
def demo_cmd(
    ctx: typer.Context,
    no_tui: Annotated[bool, typer.Option("--no-tui", help="只生成数据 / build data only")] = False,
    households: Annotated[int, typer.Option("--households", help="户数 / households")] = 300,
    as_json: JsonOpt = False,
) -> None:
    """生成演示数据库（紫阳真实镇名、有效身份证号、各类居住证状态、一周办件）/ build demo data."""
    from db.connection import data_dir, is_postgres, safe_url, shown_location
    from db.demo import build_demo

    s = session(ctx)
    s.db_url = s.db_url or f"sqlite:///{data_dir() / 'demo.db'}"
    catalogue = s.catalogue()
    s.open(ready=False, create=True)  # the demo makes its own database; build_demo guards it
    summary = build_demo(households=households, catalogue=catalogue)
    url = safe_url(s.db_url) if is_postgres() else f"sqlite:///{shown_location()}"
    summary["db"] = url
    lines = [
        ("演示数据已存在，未重复生成" if summary["existing"] else "演示数据已生成")
        + f"：{summary['households']}户 {summary['persons']}人，居住证{summary['permits']}张，"
        f"办件{summary['requests']}件",
        f"数据库 / database: {url}",
        "",
        "窗口桌面（文字界面）尚在开发中，可先用命令行浏览演示数据 / explore with the CLI:",
        f"  export ZIYANG_DB={url}",
        f"  ziyang-counter request list --date {summary['latest_day']}",
        f"  ziyang-counter person show --id-number {summary['sample_id']}",
        f"  ziyang-counter check --id-number {summary['sample_id']} --service 选民登记",
        "  ziyang-counter request list --overdue",
    ]
    if not no_tui:
        lines.append("（--no-tui 可跳过本提示 / the desk is not built yet）")
    emit(as_json, summary, lines)


# ──────────────────────────── households / persons ────────────────────────────


@household_app.command("add")
@guarded
def household_add(
    ctx: typer.Context,
    origin_village: Annotated[
        str, typer.Option("--origin-village", help="迁出村 / move-out village")
    ],
    community: Annotated[str, typer.Option("--community", help="迁入社区 / move-in community")],
    moved_in: Annotated[str, typer.Option("--moved-in", help="入住日期 / move-in date")],
    site: Annotated[str, typer.Option("--site", help="安置点 / site")] = "",
    grid: Annotated[str, typer.Option("--grid", help="网格 / grid")] = "",
    building: Annotated[str, typer.Option("--building", help="楼栋 / building")] = "",
    unit: Annotated[str, typer.Option("--unit", help="单元 / unit")] = "",
    room: Annotated[str, typer.Option("--room", help="房号 / room")] = "",
    phone: Annotated[str, typer.Option("--phone", help="联系电话 / phone")] = "",
    monitored: Annotated[
        bool, typer.Option("--monitored", help="防返贫监测户 / under monitoring")
    ] = False,
    new_community: Annotated[
        bool,
        typer.Option(
            "--new-community",
            help="迁入社区为本数据库首次登记的新社区（否则视为笔误拒绝）/ a community new here",
        ),
    ] = False,
    date: DateOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """登记搬迁户 / register a household."""
    from db.people import add_household
    from db.views import household_view
    from forms.people import parse_date

    session(ctx).open()
    today = today_from(date)
    household = add_household(
        origin_village=origin_village,
        community=community,
        moved_in=parse_date(moved_in, "入住日期（--moved-in）"),
        today=today,
        site=site,
        grid=grid,
        building=building,
        unit=unit,
        room=room,
        phone=phone,
        monitored=monitored,
        new_community=new_community,
    )
    view = household_view(household)
    emit(
        as_json,
        {"household": household.number, **view},
        f"已登记搬迁户 {household.number}：{view['origin_village']} → {view['address']}，"
        f"{view['moved_in']}入住",
    )


@household_app.command("show")
@guarded
def household_show(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="户号 / household number")],
    as_json: JsonOpt = False,
) -> None:
    """查看搬迁户及其成员 / show a household and its members."""
    from db.people import get_household, members_of
    from db.views import household_view
    from forms.citizen_id import mask_id

    session(ctx).open()
    household = get_household(number)
    members = members_of(household)
    view = household_view(household)
    view["members"] = [
        {"name": p.name, "relation": p.relation, "id_number": mask_id(p.id_number), "sex": p.sex}
        for p in members
    ]
    lines = [
        f"户号 {view['number']}  迁出村 {view['origin_village']}  住址 {view['address']}",
        f"入住 {view['moved_in']}  电话 {view['phone'] or '—'}  网格 {view['grid'] or '—'}",
    ] + [
        f"  {pad(m['relation'], 8)} {pad(m['name'], 12)} {m['sex']} {m['id_number']}"
        for m in view["members"]
    ]
    emit(as_json, {"household": view}, lines)


@person_app.command("add")
@guarded
def person_add(
    ctx: typer.Context,
    household: Annotated[str, typer.Option("--household", help="户号 / household number")],
    id_number: IdOpt,
    name: Annotated[str, typer.Option("--name", help="姓名 / name")],
    relation: Annotated[
        str,
        typer.Option(
            "--relation",
            help="与户主关系（GB/T 4761 称谓或代码，如 户主、长子、弟、73）/ relation to head",
        ),
    ],
    ethnicity: Annotated[str | None, typer.Option("--ethnicity", help="民族 / ethnicity")] = None,
    phone: Annotated[str, typer.Option("--phone", help="联系电话 / phone")] = "",
    hukou_address: Annotated[str, typer.Option("--hukou-address", help="户籍地址")] = "",
    date: DateOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """登记搬迁群众（性别、出生日期取自身份证号）/ register a person."""
    from db.people import add_person
    from db.views import person_view

    session(ctx).open()
    today = today_from(date)
    person = add_person(
        household_number=household,
        id_number=id_number,
        name=name,
        relation=relation,
        today=today,
        ethnicity=ethnicity,
        phone=phone,
        hukou_address=hukou_address,
    )
    view = person_view(person, today, masked=True)
    emit(
        as_json,
        {"person": view},
        f"已登记 {person.name}（{person.sex}，{person.birth_date.isoformat()}生，{person.relation}），"
        f"户号 {person.household.number}",
    )


@person_app.command("show")
@guarded
def person_show(
    ctx: typer.Context, id_number: IdOpt, date: DateOpt = None, as_json: JsonOpt = False
) -> None:
    """查看搬迁群众及其居住证（查看记录留痕）/ show a person; the look is logged."""
    from db.people import show_person
    from db.views import person_view

    s = session(ctx)
    today = today_from(date)
    view = person_view(show_person(id_number, s.desk(), today), today)
    hh = view["household"]
    permit = view["permit"]
    lines = [
        f"{view['name']}  {view['sex']}  {view['ethnicity']}  {view['birth_date']}生  {view['id_number']}",
        f"与户主关系：{view['relation']}  电话：{view['phone'] or hh['phone'] or '—'}",
        f"户号 {hh['number']}  迁出村 {hh['origin_village']}  住址 {hh['address']}  入住 {hh['moved_in']}",
        f"户籍地址：{view['hukou_address']}",
        (
            f"居住证 {permit['number']}：{permit['status_label']}，有效期至{permit['valid_until']}，"
            f"居住起算{permit['residence_since']}"
            if permit
            else "居住证：未办理"
        ),
    ]
    emit(as_json, {"person": view}, lines)


# ───────────────────────────────── permits ─────────────────────────────────


def permit_payload(view: dict[str, Any]) -> dict[str, Any]:
    """The JSON every permit command prints: the three keys scripts rely on, then the rest."""
    return {
        "permit": view["number"],
        "status": view["status"],
        "valid_until": view["valid_until"],
        "detail": view,
    }


def _permit_output(permit: Any, today: dt.date, as_json: bool, headline: str) -> None:
    from db.views import permit_view

    view = permit_view(permit, today)
    lines = [
        headline,
        f"居住证 {view['number']}  持证人 {view['holder']}  {view['id_number']}",
        f"状态：{view['status_label']}  签发 {view['issued_on']}  有效期至 {view['valid_until']}",
        f"居住起算 {view['residence_since']}  可签注自 {view['endorse_from']}  登记社区 {view['community']}",
    ]
    emit(as_json, permit_payload(view), lines)


@permit_app.command("issue")
@guarded
def permit_issue(
    ctx: typer.Context, id_number: IdOpt, date: DateOpt = None, as_json: JsonOpt = False
) -> None:
    """签发居住证（完成已受理的申领，或当场受理）/ issue a residence permit."""
    from db.permits import issue_permit

    s = session(ctx)
    today = today_from(date)
    permit = issue_permit(id_number=id_number, catalogue=s.catalogue(), desk=s.desk(), today=today)
    _permit_output(permit, today, as_json, f"已签发居住证 {permit.number}")


@permit_app.command("endorse")
@guarded
def permit_endorse(
    ctx: typer.Context, id_number: IdOpt, date: DateOpt = None, as_json: JsonOpt = False
) -> None:
    """居住证年度签注 / yearly endorsement."""
    from db.permits import endorse_permit

    s = session(ctx)
    today = today_from(date)
    permit = endorse_permit(
        id_number=id_number, catalogue=s.catalogue(), desk=s.desk(), today=today
    )
    _permit_output(permit, today, as_json, f"已签注居住证 {permit.number}")


@permit_app.command("replace")
@guarded
def permit_replace(
    ctx: typer.Context,
    id_number: IdOpt,
    reason: Annotated[str, typer.Option("--reason", help="lost（遗失补领）| damaged（损坏换领）")],
    date: DateOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """补领或换领居住证，原证号作废 / replace a lost or damaged permit."""
    from db.permits import replace_permit

    s = session(ctx)
    today = today_from(date)
    permit = replace_permit(
        id_number=id_number, reason=reason, catalogue=s.catalogue(), desk=s.desk(), today=today
    )
    _permit_output(
        permit,
        today,
        as_json,
        f"已补换发居住证 {permit.number}，原证 {permit.replaces.number} 作废",
    )


@permit_app.command("revoke")
@guarded
def permit_revoke(
    ctx: typer.Context,
    id_number: IdOpt,
    reason: Annotated[str, typer.Option("--reason", help="注销原因 / reason")],
    yes: YesOpt = False,
    date: DateOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """注销居住证（须确认；当天误注销可由主管撤销）/ revoke a permit."""
    from db.permits import revoke_permit

    s = session(ctx)
    today = today_from(date)
    desk = s.desk()
    confirm(yes, f"注销居住证会中止其居住年限，确认注销该身份证号当前的居住证？原因：{reason}")
    permit = revoke_permit(id_number=id_number, reason=reason, desk=desk, today=today)
    _permit_output(permit, today, as_json, f"已注销居住证 {permit.number}")


@permit_app.command("unrevoke")
@guarded
def permit_unrevoke(
    ctx: typer.Context,
    id_number: IdOpt,
    reason: Annotated[
        str, typer.Option("--reason", help="撤销原因 / why the revocation was wrong")
    ],
    yes: YesOpt = False,
    date: DateOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """撤销当天误操作的注销（主管）/ undo a mistaken revocation the same day (supervisor)."""
    from db.permits import unrevoke_permit

    s = session(ctx)
    today = today_from(date)
    desk = s.desk()
    confirm(yes, f"恢复该身份证号当天被注销的居住证？原因：{reason}")
    permit = unrevoke_permit(id_number=id_number, reason=reason, desk=desk, today=today)
    _permit_output(permit, today, as_json, f"已撤销注销，居住证 {permit.number} 恢复有效")


def confirm(yes: bool, question: str) -> None:
    """--yes, or a yes typed at a terminal; a script without --yes is refused, not blocked."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise CounterError(
            "此操作须确认：请加 --yes",
            "this needs confirmation: add --yes (stdin is not a terminal)",
        )
    if not typer.confirm(question, default=False):
        raise typer.Abort()


@permit_app.command("show")
@guarded
def permit_show(
    ctx: typer.Context, id_number: IdOpt, date: DateOpt = None, as_json: JsonOpt = False
) -> None:
    """查看居住证及签注、补换领记录 / show a permit and its history."""
    from db.permits import show_permit
    from db.views import permit_view

    session(ctx).open()
    today = today_from(date)
    permit, earlier = show_permit(id_number, today)
    view = permit_view(permit, today)
    view["earlier"] = [permit_view(p, today) for p in earlier]
    history = [
        f"  {h['on']} {h['kind']:<8} 有效期至{h['valid_until']} {h['note']}"
        for h in view["history"]
    ]
    lines = [
        f"居住证 {view['number']}  持证人 {view['holder']}  {view['id_number']}",
        f"状态：{view['status_label']}  签发 {view['issued_on']}（受理 {view['accepted_on']}，"
        f"应于 {view['issue_due_by']} 前发证）",
        f"有效期至 {view['valid_until']}  可签注自 {view['endorse_from']}  居住起算 {view['residence_since']}",
        "记录：",
        *history,
    ] + [f"  原证 {p['number']}：{p['status_label']} {p['closed_reason']}" for p in view["earlier"]]
    emit(as_json, permit_payload(view), lines)


# ─────────────────────────────── scope check ───────────────────────────────


def decision_lines(data: dict[str, Any]) -> list[str]:
    from forms.status import DECISION_LABELS

    service = data["service"]
    lines = [
        f"事项：{service['code']} {service['name']}",
        f"结论：{DECISION_LABELS[data['decision']]}"
        + (f"（{data['handled_by']}）" if data.get("handled_by") else ""),
        "理由：",
        *[f"  · {r['text']}  〔{r['rule']}｜{r['basis']}〕" for r in data["reasons"]],
    ]
    if data.get("remedy"):
        lines.append(f"办理途径：{data['remedy']}")
    missing = data.get("missing_documents") or []
    lines.append("缺少材料（一次性告知）：" + ("、".join(missing) if missing else "无"))
    return lines


@app.command("check")
@guarded
def check_cmd(
    ctx: typer.Context,
    id_number: IdOpt,
    service: Annotated[
        str, typer.Option("--service", help="事项名称或代码 / service name or code")
    ],
    at: Annotated[
        str | None,
        typer.Option("--at", help="按该社区窗口核验 / check as this community's counter"),
    ] = None,
    provided: ProvidedOpt = None,
    date: DateOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """办理前核验：本窗口办理、代收转办、转迁出村或不予办理，及全部缺少材料 / scope check."""
    from db.requests import check

    s = session(ctx)
    today = today_from(date)
    decision = check(
        id_number=id_number,
        service=service,
        catalogue=s.catalogue(),
        community=s.desk(at).community,
        today=today,
        provided=provided or [],
    )
    data = decision.as_dict()
    emit(as_json, data, decision_lines(data))


# ───────────────────────────────── requests ─────────────────────────────────


def _request_output(
    request: Any, today: dt.date, as_json: bool, headline: str | None = None
) -> None:
    """A request in full; the headline defaults to its ticket and new status."""
    from db.views import request_view

    view = request_view(request, today, with_events=True)
    lines = [headline or f"{view['ticket']}：{view['status_label']}", *request_lines(view)]
    emit(as_json, view, lines)


def request_lines(view: dict[str, Any]) -> list[str]:
    lines = [
        f"受理编号 {view['ticket']}  {view['service']['code']} {view['service']['name']}",
        f"申请人 {view['person']['name']} {view['person']['id_number']}  {view['person']['address']}",
        f"结论 {view['decision_label']}"
        + (f"（{view['handled_by']}）" if view["handled_by"] else "")
        + f"  状态 {view['status_label']}"
        + ("  【已超期】" if view["overdue"] else ""),
        f"受理 {view['opened_at']}  承诺办结 {view['promised_by'] or '—'}  经办 {view['officer']}",
        "已收材料：" + ("、".join(view["received_documents"]) or "无"),
        "缺少材料：" + ("、".join(view["missing_documents"]) or "无"),
    ]
    if view["remedy"]:
        lines.append(f"办理途径：{view['remedy']}")
    for event in view.get("events", []):
        lines.append(f"  {event['at']} {event['label']} {event['officer']} {event['note']}")
    return lines


@request_app.command("open")
@guarded
def request_open(
    ctx: typer.Context,
    id_number: IdOpt,
    service: Annotated[
        str, typer.Option("--service", help="事项名称或代码 / service name or code")
    ],
    provided: ProvidedOpt = None,
    note: NoteOpt = "",
    date: DateOpt = None,
    as_json: JsonOpt = False,
    again: Annotated[
        str,
        typer.Option(
            "--again",
            help="同一事项已有未办结办件时，确需再次申请的原因 / reason for a second open request",
        ),
    ] = "",
) -> None:
    """受理登记（不予办理的也登记在案）/ open a request."""
    from db.requests import open_request
    from db.views import request_view

    s = session(ctx)
    today = today_from(date)
    request = open_request(
        id_number=id_number,
        service=service,
        catalogue=s.catalogue(),
        desk=s.desk(),
        today=today,
        provided=provided or [],
        note=note,
        again_reason=again,
    )
    view = request_view(request, today, with_events=True)
    hints = [f"打印受理回执：ziyang-counter print receipt {request.ticket}"]
    if view["missing_documents"]:
        hints.append(f"材料不全，打印一次性告知单：ziyang-counter print notice {request.ticket}")
    if view["decision"] in ("refer_origin", "forward_department"):
        hints.append(f"打印转办单：ziyang-counter print transfer {request.ticket}")
    emit(as_json, view, [f"已登记 {request.ticket}", *request_lines(view), *hints])


@request_app.command("show")
@guarded
def request_show(
    ctx: typer.Context,
    ticket: Annotated[str, typer.Argument(help="受理编号 / ticket")],
    date: DateOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """查看办件及全部办理记录 / show a request and its steps."""
    from db.requests import get_request

    session(ctx).open()
    today = today_from(date)
    request = get_request(ticket)
    _request_output(request, today, as_json, f"办件 {request.ticket}")


@request_app.command("list")
@guarded
def request_list(
    ctx: typer.Context,
    date: Annotated[
        str | None, typer.Option("--date", help="受理日期，默认今天 / day opened (default today)")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="截止日期 / range end")] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help="pending_materials|accepted|forwarded|referred|completed|refused"
        ),
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="所有日期中已超期的在办件 / overdue, any day")
    ] = False,
    every_hall: Annotated[
        bool,
        typer.Option("--all-communities", help="包括共用数据库中其他社区的办件 / every hall"),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """按日期列出本社区办件 / list this hall's requests of a day."""
    from db.requests import list_requests
    from db.views import request_view
    from forms.people import parse_date

    s = session(ctx)
    s.open()
    community = None if every_hall else s.desk().community
    today = dt.date.today()
    day = None if overdue and not date else today_from(date, bounded=False)
    until = parse_date(date_to, "截止日期（--to）") if date_to else None
    as_of = day if (overdue and day) else today
    rows = list_requests(
        day=day,
        until=until,
        status=status,
        overdue_on=as_of if overdue else None,
        community=community,
    )
    views = [request_view(r, as_of) for r in rows]
    lines = [
        f"{v['opened_at'][11:16]} {v['ticket']} {pad(v['service']['name'], 28)} {pad(v['person']['name'], 10)} "
        f"{v['person']['id_number']} {pad(v['decision_label'], 12)} {v['status_label']}"
        + (" 超期" if v["overdue"] else "")
        for v in views
    ]
    period = "全部日期" if day is None else (f"{day}" + (f" 至 {until}" if until else ""))
    lines.append(f"共 {len(views)} 件（{period}）")
    emit(as_json, {"requests": views, "count": len(views)}, lines)


def _step(name: str) -> Callable[..., None]:
    """request forward / complete / refuse / return: one handling step with a note."""

    def command(
        ctx: typer.Context,
        ticket: Annotated[str, typer.Argument(help="受理编号 / ticket")],
        note: NoteOpt = "",
        date: DateOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        from db import requests as ops

        s = session(ctx)
        today = today_from(date)
        action = {
            "forward": ops.forward,
            "complete": ops.complete,
            "refuse": ops.refuse,
            "return": ops.return_request,
        }[name]
        request = action(ticket, s.desk(), today, note)
        _request_output(request, today, as_json)

    command.__name__ = f"request_{name}"
    return guarded(command)


request_app.command("forward", help="转办县级部门 / hand over to the department")(_step("forward"))
request_app.command("complete", help="办结 / complete")(_step("complete"))
request_app.command("refuse", help="不予办理（须 --note 说明理由）/ refuse with a reason")(
    _step("refuse")
)
request_app.command("return", help="部门退回窗口（须 --note）/ returned by the department")(
    _step("return")
)


@request_app.command("supplement")
@guarded
def request_supplement(
    ctx: typer.Context,
    ticket: Annotated[str, typer.Argument(help="受理编号 / ticket")],
    provided: ProvidedOpt = None,
    note: NoteOpt = "",
    date: DateOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """补正材料；材料齐全后正式受理并计算承诺日期 / supplement missing documents."""
    from db.requests import supplement

    s = session(ctx)
    today = today_from(date)
    request = supplement(ticket, provided or [], s.desk(), today, note)
    _request_output(request, today, as_json)


# ──────────────────────────────── catalogue ────────────────────────────────


def service_data(service: Any) -> dict[str, Any]:
    return {
        "code": service.code,
        "name": service.name,
        "category": service.category,
        "side": service.side,
        "side_label": service.side_label,
        "department": service.department or None,
        "time_limit": service.time_limit,
        "needs_permit": service.needs_permit,
        "fee_yuan": service.fee_yuan,
        "basis": service.basis,
        "conditions": service.conditions.describe(),
        "documents": [
            {"name": d.name, "copies": d.copies, "issuer": d.issuer, "note": d.note}
            for d in service.documents
        ],
    }


@catalog_app.command("list")
@guarded
def catalog_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """全部服务事项 / every service."""
    catalogue = session(ctx).catalogue()
    rows = [service_data(s) for s in catalogue.services]
    lines = [
        f"{r['code']}  {pad(r['name'], 32)} {pad(r['side_label'], 12)} "
        + (f"{r['time_limit']}个工作日" if r["time_limit"] else "当场办结")
        + (f"  → {r['department']}" if r["department"] else "")
        for r in rows
    ]
    lines.append(f"共 {len(rows)} 项（{catalogue.title} {catalogue.version}）")
    emit(as_json, {"services": rows, "version": catalogue.version}, lines)


@catalog_app.command("show")
@guarded
def catalog_show(
    ctx: typer.Context,
    name_or_code: Annotated[str, typer.Argument(help="事项名称或代码 / service name or code")],
    as_json: JsonOpt = False,
) -> None:
    """一项服务的条件、材料、时限和依据 / one service in full."""
    service = session(ctx).catalogue().find(name_or_code)
    data = service_data(service)
    lines = [
        f"{data['code']} {data['name']}（{data['category']}）",
        f"办理方式：{data['side_label']}"
        + (f"，转{data['department']}" if data["department"] else ""),
        "承诺时限：" + (f"{data['time_limit']}个工作日" if data["time_limit"] else "当场办结"),
        f"依据：{data['basis']}",
        "条件：" + ("；".join(data["conditions"]) or "无特别条件"),
        "材料：",
        *[
            f"  {i}. {d['name']} {d['copies']}份（{d['issuer']}）"
            + (f" {d['note']}" if d["note"] else "")
            for i, d in enumerate(data["documents"], 1)
        ],
    ]
    if data["fee_yuan"]:
        lines.append(f"收费：工本费{data['fee_yuan']:g}元")
    emit(as_json, {"service": data}, lines)


# ──────────────────────────────── staff ────────────────────────────────


@staff_app.command("add")
@guarded
def staff_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="工号 / staff code")],
    name: Annotated[str, typer.Argument(help="姓名 / name")],
    role: Annotated[str, typer.Option("--role", help="officer | supervisor")] = "officer",
    as_json: JsonOpt = False,
) -> None:
    """添加工作人员 / add a staff member."""
    from db.setup import add_staff
    from forms.people import check_name

    session(ctx).open()
    staff = add_staff(code.strip(), check_name(name), role)
    emit(
        as_json,
        {"staff": {"code": staff.code, "name": staff.name, "role": staff.role}},
        f"已添加工作人员 {staff.code} {staff.name}（{staff.role}）",
    )


@staff_app.command("list")
@guarded
def staff_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """全部工作人员 / all staff."""
    from db.setup import list_staff

    session(ctx).open()
    rows = list_staff()
    emit(as_json, {"staff": rows}, [f"{r['code']} {r['name']} {r['role']}" for r in rows])


@staff_app.command("backdate-days")
@guarded
def staff_backdate_days(
    ctx: typer.Context,
    days: Annotated[
        int | None, typer.Argument(help="新的补录期限（天，0至366）/ new window in days")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """查看或（负责人）修改 --date 最多可补录的天数 / show or (supervisor) set the back-dating
    window."""
    from db.setup import backdate_window, set_backdate_window

    s = session(ctx)
    s.open()
    value = backdate_window() if days is None else set_backdate_window(days, s.staff_code)
    emit(
        as_json,
        {"backdate_days": value},
        f"补录期限：--date 最多可早于今天{value}天，不能晚于今天 / "
        f"back-dating window: {value} days",
    )


# ──────────────────────────────── printouts ────────────────────────────────

OutOpt = Annotated[str | None, typer.Option("--out", help="PDF 文件路径 / PDF path")]
PrinterOpt = Annotated[
    str | None, typer.Option("--printer", help="直接发送到该打印机 / send to this printer")
]
ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force",
        help="有生僻字无法显示时仍然送打；--out 文件已存在且不是本程序生成的 PDF 时也覆盖"
        "（数据库除外）/ print despite missing glyphs; overwrite any existing --out file",
    ),
]


def deliver(
    render: Callable[[str], Any],
    filename: str,
    out: str | None,
    printer: str | None,
    force: bool,
    as_json: bool,
    what: str,
) -> None:
    """Write the PDF (whole, never half), warn first, then print if asked."""
    from pathlib import Path

    from db.printdata import output_dir
    from printouts.printer import send_to_printer

    target = Path(out).expanduser() if out else Path(output_dir()) / filename
    if not out:
        target.parent.mkdir(parents=True, exist_ok=True)
    target = checked_target(target, force)
    path = str(target)
    result = write_replacing(render, target)
    for warning in result.warnings:
        typer.echo(f"警告 / Warning: {warning}", err=True)
    printed = None
    if printer:
        if result.missing_glyphs and not force:
            raise CounterError(
                f"有生僻字无法显示，未送打印机；PDF 已保存：{path}。核对后可加 --force 打印",
                f"some characters have no font; not sent to the printer (PDF at {path}); "
                "use --force to print anyway",
            )
        send_to_printer(path, printer)
        printed = printer
    emit(
        as_json,
        {
            "path": path,
            "pages": result.pages,
            "warnings": result.warnings,
            "missing_glyphs": result.missing_glyphs,
            "printer": printed,
        },
        f"{what}：{path}（{result.pages}页）" + (f"，已发送到打印机 {printed}" if printed else ""),
    )


def checked_target(target: Any, force: bool) -> Any:
    """Where a PDF may go: never the open database, never a folder, never someone's file.

    An existing file is replaced only if it is a PDF this program wrote (its creator mark), or
    with --force; the database file and its -wal/-shm/-journal companions never.
    """
    import os
    from pathlib import Path

    from db.connection import sqlite_file

    target = Path(os.path.abspath(target))
    if target.is_dir():
        raise CounterError(
            f"--out 应为 PDF 文件路径，{target} 是文件夹",
            f"--out must be a PDF file path; {target} is a folder",
        )
    if target.exists() and not target.is_file():  # /dev/null, a pipe: even --force won't
        raise CounterError(
            f"--out 应为普通文件路径，{target} 不是普通文件",
            f"--out must be a regular file path; {target} is not one",
        )
    if not target.parent.is_dir():
        raise CounterError(
            f"文件读写失败 {target.parent}：文件夹不存在（请先建好文件夹）",
            f"file error {target.parent}: the folder does not exist (create it first)",
        )
    database = sqlite_file()
    if database is not None:
        real = os.path.realpath(target)
        for suffix in ("", "-wal", "-shm", "-journal"):
            guarded_path = f"{database}{suffix}"
            if real == os.path.realpath(guarded_path) or (
                target.exists()
                and os.path.exists(guarded_path)
                and os.path.samefile(target, guarded_path)
            ):
                raise CounterError(
                    f"--out 指向正在使用的数据库文件 {guarded_path}，拒绝覆盖",
                    f"--out names the open database file {guarded_path}; refusing to overwrite it",
                )
    if target.exists() and not force and not is_our_pdf(target):
        raise CounterError(
            f"{target} 已存在且不是本程序生成的 PDF，未覆盖；换一个文件名，或确认后加 --force",
            f"{target} exists and is not a PDF written by this program; not overwritten "
            "(choose another name, or add --force)",
        )
    return target


def is_our_pdf(path: Any) -> bool:
    """A PDF this program wrote: it starts with %PDF- and carries our creator mark."""
    from printouts.layout import PDF_CREATOR

    try:
        with open(path, "rb") as handle:
            if handle.read(5) != b"%PDF-":
                return False
            handle.seek(0)
            data = handle.read(64 * 1024 * 1024)
    except OSError:
        return False
    mark = PDF_CREATOR.encode("ascii")
    return b"/Creator (" + mark + b")" in data or b"/Producer (" + mark + b")" in data


def write_replacing(render: Callable[[str], Any], target: Any) -> Any:
    """Render into a temporary file beside `target`, then rename it into place: a failure
    leaves no half file and the old one untouched."""
    import os
    import tempfile

    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    os.close(handle)
    try:
        result = render(temporary)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; a printout is not
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return result


@print_app.command("receipt")
@guarded
def print_receipt(
    ctx: typer.Context,
    ticket: Annotated[str, typer.Argument(help="受理编号 / ticket")],
    size: Annotated[str, typer.Option("--size", help="80mm（小票）| a4")] = "80mm",
    out: OutOpt = None,
    printer: PrinterOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """受理回执 / acceptance receipt."""
    from db.printdata import receipt_data
    from printouts.receipt import SIZES, render_receipt

    size = size.lower()
    if size not in SIZES:
        raise CounterError(
            f"回执尺寸应为 80mm 或 a4：{size}", f"receipt size must be 80mm or a4, got {size}"
        )
    data = receipt_data(ticket, session(ctx).desk())
    deliver(
        lambda path: render_receipt(data, path, size=size),
        f"receipt-{data.ticket}-{size}.pdf", out, printer, force, as_json, "受理回执",
    )  # fmt: skip


@print_app.command("notice")
@guarded
def print_notice(
    ctx: typer.Context,
    ticket: Annotated[str | None, typer.Argument(help="受理编号 / ticket")] = None,
    service: Annotated[
        str | None, typer.Option("--service", help="空白告知单：事项名称或代码 / blank checklist")
    ] = None,
    date: DateOpt = None,
    out: OutOpt = None,
    printer: PrinterOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """一次性告知单（按办件，或 --service 打印空白清单）/ one-time notification slip."""
    from db.printdata import notice_for_request, notice_for_service
    from printouts.notice import render_notice

    if bool(ticket) == bool(service):
        raise CounterError(
            "请给出受理编号，或用 --service 指定事项（二选一）",
            "give either a ticket or --service, not both",
        )
    s = session(ctx)
    today = today_from(date)
    catalogue = s.catalogue()
    if ticket:
        data = notice_for_request(ticket, catalogue, s.desk(), today)
        name = f"notice-{data.ticket}.pdf"
    else:
        data = notice_for_service(catalogue.find(service or ""), s.desk(), today)
        name = f"notice-{data.service_code}.pdf"
    deliver(
        lambda path: render_notice(data, path), name, out, printer, force, as_json, "一次性告知单"
    )


@print_app.command("transfer")
@guarded
def print_transfer(
    ctx: typer.Context,
    ticket: Annotated[str, typer.Argument(help="受理编号 / ticket")],
    date: DateOpt = None,
    out: OutOpt = None,
    printer: PrinterOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """转办单（转迁出村或县级部门）/ transfer slip."""
    from db.printdata import transfer_data
    from printouts.transfer import render_transfer

    data = transfer_data(ticket, session(ctx).desk(), today_from(date))
    deliver(
        lambda path: render_transfer(data, path),
        f"transfer-{data.ticket}.pdf", out, printer, force, as_json, "转办单",
    )  # fmt: skip


@print_app.command("permit")
@guarded
def print_permit(
    ctx: typer.Context,
    id_number: Annotated[str, typer.Argument(help="公民身份号码 / citizen ID")],
    date: DateOpt = None,
    out: OutOpt = None,
    printer: PrinterOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """居住证卡（正反面，A4 裁切）/ permit card."""
    from db.people import show_person
    from db.printdata import permit_card_data
    from printouts.permit_card import render_permit_card

    s = session(ctx)
    today = today_from(date)
    desk = s.desk()
    data = permit_card_data(id_number, s.catalogue(), today)
    show_person(id_number, desk, today, "打印居住证")  # the card shows the full ID: log it
    deliver(
        lambda path: render_permit_card(data, path),
        f"permit-{data.number}.pdf", out, printer, force, as_json, "居住证",
    )  # fmt: skip


@print_app.command("daily-log")
@guarded
def print_daily_log(
    ctx: typer.Context,
    date: Annotated[str | None, typer.Option("--date", help="日期，默认今天 / day")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="起始日期 / first day")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="截止日期 / last day")] = None,
    out: OutOpt = None,
    printer: PrinterOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """每日台账（A4 横向）/ daily log."""
    from db.printdata import daily_log_data
    from forms.people import parse_date
    from printouts.daily_log import render_daily_log

    if date and (date_from or date_to):
        raise CounterError(
            "--date 与 --from/--to 不能同时使用", "use --date or --from/--to, not both"
        )
    today = dt.date.today()
    if date_from or date_to:
        first = parse_date(date_from, "起始日期（--from）", default=today)
        last = parse_date(date_to, "截止日期（--to）", default=today)
    else:
        first = last = parse_date(date, "日期（--date）", default=today)
    data = daily_log_data(first, last, session(ctx).desk(), today)
    name = (
        f"daily-log-{first.isoformat()}"
        + (f"_{last.isoformat()}" if last != first else "")
        + ".pdf"
    )
    deliver(
        lambda path: render_daily_log(data, path), name, out, printer, force, as_json, "办件台账"
    )


@app.command("verify")
@guarded
def verify_cmd(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="回执上的验证码 / code on the receipt")],
    ticket: Annotated[
        str | None, typer.Option("--ticket", help="回执上印的受理编号（核对）/ ticket printed")
    ] = None,
    promised_by: Annotated[
        str | None,
        typer.Option("--promised-by", help="回执上印的承诺办结日期（核对）/ promised date printed"),
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="回执上印的办理状态（核对）/ status printed")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """核验回执验证码（只读）/ check a receipt's verification code (reads only)."""
    from db.requests import verify

    session(ctx).open()
    claimed = {
        name: value
        for name, value in (("ticket", ticket), ("promised_by", promised_by), ("status", status))
        if value is not None
    }
    found = verify(code, claimed)
    if found is None:
        emit(
            as_json,
            {"valid": False, "code": code},
            "未找到：本数据库没有签发过该验证码的回执 / no receipt with this code was issued here",
        )
        raise typer.Exit(1)
    emit(as_json, found, verify_lines(found))
    if not found["valid"]:
        raise typer.Exit(1)


def verify_lines(found: dict[str, Any]) -> list[str]:
    """What verify says: the receipt version the code is, what it asserted, and the state now."""
    printed, current = found["receipt"], found["current"]
    names = {"ticket": "受理编号", "promised_by": "承诺办结日期", "status": "办理状态"}
    lines = []
    if found["mismatch"]:
        wrong = "、".join(names[n] for n in found["mismatch"])
        lines.append(
            f"不符：回执上的{wrong}与该验证码签发时不一致，回执可能被改动 / "
            f"MISMATCH: {', '.join(found['mismatch'])} differ from what this code covers"
        )
    else:
        lines.append(
            f"有效：受理编号 {found['ticket']}，{found['service']['code']} {found['service']['name']}"
        )
    lines.append(
        f"申请人 {found['applicant']['name']} {found['applicant']['id_number']}，"
        f"{found['community']} 受理于 {found['opened_at']}"
    )
    if printed["scheme"] == "legacy":
        lines.append(
            f"第{printed['version']}版回执（升级前签发，验证码只涵盖受理编号、身份证号、事项和受理时间）"
        )
    else:
        promised = printed["promised_by"] or "材料补齐后起算"
        lines.append(
            f"第{printed['version']}版回执，{printed['printed_at']} 打印：状态 {printed['status_label']}，"
            f"承诺办结 {promised}，已收材料 {'、'.join(printed['documents_received']) or '无'}"
        )
    if found["superseded"]:
        lines.append(
            f"已被第{found['latest_version']}版取代 / superseded by version {found['latest_version']}"
        )
    if found["superseded"] or found["changed_since_printing"]:
        promised = current["promised_by"] or "—"
        lines.append(
            f"当前状态：{current['status_label']}，承诺办结 {promised}，"
            f"已收材料 {'、'.join(current['documents_received']) or '无'}"
        )
    else:
        lines.append(f"当前状态：{current['status_label']}（与回执一致）")
    lines.append(
        f"Valid: ticket {found['ticket']}, receipt version {printed['version']}"
        if found["valid"]
        else f"Refused: ticket {found['ticket']}"
    )
    return lines


# ───────────────────────────── receipt keys, backup, restore ─────────────────────────────


def receipt_key_notes(result: dict[str, Any]) -> list[str]:
    """What init says about this machine's receipt key file (made now, or missing keys)."""
    notes = []
    if result.get("receipt_key_created"):
        notes.append(
            f"已新建回执密钥文件 {result['receipt_key_file']}：请另行备份，并复制到本大厅其他窗口机"
            " / new receipt key file: back it up and copy it to the hall's other counter PCs"
        )
    if result.get("receipt_keys_missing"):
        notes.append(
            f"本机缺少签发过回执的密钥 {'、'.join(result['receipt_keys_missing'])}：这些回执在本机无法"
            "核验，请用 receipt-key import 导入本大厅的密钥文件 / keys missing here: import them"
        )
    return notes


key_app = typer.Typer(help="回执签名密钥（本机文件）/ receipt keys", no_args_is_help=True)
app.add_typer(key_app, name="receipt-key")


@key_app.command("show")
@guarded
def receipt_key_show(as_json: JsonOpt = False) -> None:
    """本机的回执密钥文件与其中的密钥（不显示密钥本身）/ the key file and its keys."""
    from db import receipt_keys

    ring = receipt_keys.load()
    keys = [
        {
            "id": k.id,
            "scheme": k.scheme,
            "created": k.created,
            "signs": k.id == ring.current,
            "note": k.note,
        }
        for k in ring.keys.values()
    ]
    lines = [f"密钥文件 / key file: {ring.path}" + ("" if keys else "（不存在 / missing）")]
    lines += [
        f"  {k['id']}  {k['created']}  "
        + ("签发中 / signing" if k["signs"] else "仅核验 / verify only")
        + ("（升级前旧密钥 / legacy）" if k["scheme"] == "legacy" else "")
        for k in keys
    ]
    emit(as_json, {"path": str(ring.path), "current": ring.current, "keys": keys}, lines)


@key_app.command("rotate")
@guarded
def receipt_key_rotate(as_json: JsonOpt = False) -> None:
    """换用新密钥签发；旧密钥保留用于核验旧回执 / sign with a new key, keep the old to verify."""
    from db import receipt_keys

    key, old = receipt_keys.rotate()
    emit(
        as_json,
        {
            "current": key.id,
            "previous": old.id if old else None,
            "path": str(receipt_keys.key_file()),
        },
        [
            f"已启用新密钥 {key.id}" + (f"，旧密钥 {old.id} 保留用于核验" if old else ""),
            f"请把密钥文件 {receipt_keys.key_file()} 复制到本大厅其他窗口机并另行备份",
            f"New signing key {key.id}; copy the key file to the hall's other counter PCs.",
        ],
    )


@key_app.command("import")
@guarded
def receipt_key_import(
    source: Annotated[str, typer.Argument(help="另一台窗口机的密钥文件 / another key file")],
    use: Annotated[
        bool, typer.Option("--use", help="并改用该文件的签发密钥 / also sign with its key")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """合并本大厅其他窗口机的密钥文件 / merge the hall's key file from another counter PC."""
    from pathlib import Path

    from db import receipt_keys

    added = receipt_keys.import_from(Path(source), make_current=use)
    ring = receipt_keys.load()
    emit(
        as_json,
        {"added": added, "current": ring.current, "path": str(ring.path)},
        [
            f"已加入 {len(added)} 个密钥：{'、'.join(added) or '无（都已在本机）'}；签发密钥 {ring.current}",
            f"Added {len(added)} key(s); signing with {ring.current}",
        ],
    )


@app.command("backup")
@guarded
def backup_cmd(
    ctx: typer.Context,
    out: Annotated[
        str | None,
        typer.Option("--out", help="备份文件（默认：备份文件夹中按时间命名）/ backup file"),
    ] = None,
    keep: Annotated[
        int | None,
        typer.Option("--keep", help="只保留最新的 N 份自动命名的备份 / keep the newest N backups"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """备份数据库（窗口照常办理时也可运行），写完即核对 / back up the database and check it."""
    from pathlib import Path

    from db.backup import backup

    session(ctx).open(ready=False)
    result = backup(Path(out) if out else None, keep)
    total = sum(result.counts.values())
    emit(
        as_json,
        {
            "path": str(result.path),
            "engine": result.engine,
            "counts": result.counts,
            "checks": result.checks,
            "removed": [str(p) for p in result.removed],
        },
        [
            f"已备份并核对（{'、'.join(result.checks)}）：{result.path}",
            f"共 {len(result.counts)} 张表 {total} 条记录"
            + (f"；已删除较早的备份 {len(result.removed)} 份" if result.removed else ""),
            f"Backed up and checked: {result.path}",
        ],
    )


@app.command("restore")
@guarded
def restore_cmd(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="备份文件 / backup file")],
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="覆盖已有数据的数据库（先自动备份）/ replace a database with data"
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """从备份恢复数据库（先核对备份文件）/ restore the database from a checked backup."""
    from pathlib import Path

    from db import migrations
    from db.backup import check_file, restore
    from db.connection import db as bound
    from db.connection import shown_location

    check_file(Path(file).expanduser().absolute())  # before anything is opened or made
    session(ctx).open(ready=False, create=True)
    result = restore(Path(file), force=force)
    pending = migrations.pending(bound.obj)
    counts: dict[str, int] = result["counts"]  # type: ignore[assignment]
    lines = [
        f"已从 {result['path']} 恢复到 {shown_location()}，共 {sum(counts.values())} 条记录，已核对",
        f"Restored {result['path']} into {shown_location()}; row counts checked",
    ]
    if result["previous_saved_to"]:
        lines.insert(1, f"恢复前的数据已备份到 {result['previous_saved_to']}")
    if pending:
        lines.append("该备份来自较早版本，请运行 ziyang-counter init 升级 / run init to upgrade")
    emit(as_json, {**result, "pending_upgrade": pending}, lines)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
