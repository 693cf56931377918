"""ziyang-counter: the command line of the Ziyang relocation service counter.

Thin on purpose: options are parsed here, the work is done by `db/` operations, and the desk
(Textual) is imported only by the command that starts it.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import sys
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from typer.core import TyperGroup

from forms.errors import CounterError
from forms.summary import backdated_mark, local_time

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
            argv = list(args) if args is not None else sys.argv[1:]
            if "--json" in argv:  # a script asked for JSON: the error comes as JSON too
                zh, en = usage_message(exc)
                typer.echo(json.dumps({"error": {"zh": zh, "en": en}}, ensure_ascii=False))
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


def usage_message(exc: Exception) -> tuple[str, str]:
    """The usage error in Chinese and English, as `{"error": {"zh", "en"}}` carries it."""
    from forms.text import neutralise

    zh = USAGE_ZH.get(type(exc).__name__, "命令用法错误")
    en = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    # echoes what was typed: no undecodable bytes, no raw control or bidi characters
    en = neutralise(printable(" ".join(en.split())))
    return f"{zh}（{en}），可加 --help 查看用法", f"{en} (see --help)"


def usage_line(exc: Exception) -> str:
    zh, en = usage_message(exc)
    return f"错误：{zh} / Error: {en}"


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
place_app = typer.Typer(help="本县社区与安置点名单 / communities and sites", no_args_is_help=True)
app.add_typer(household_app, name="household")
app.add_typer(person_app, name="person")
app.add_typer(permit_app, name="permit")
app.add_typer(request_app, name="request")
app.add_typer(catalog_app, name="catalog")
app.add_typer(staff_app, name="staff")
app.add_typer(print_app, name="print")
app.add_typer(place_app, name="place")


@dataclass
class Session:
    """What the global options chose; the database is opened on first use."""

    db_url: str | None
    catalog_path: str | None
    community: str | None = None
    counter_no: int | None = None
    ascii_borders: bool = False
    high_contrast: bool = False
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
        """The signed-in staff member at this counter (`ziyang-counter login`): every write
        and every read of full data goes through here."""
        from db.accounts import resume, saved_token

        self.open()
        return resume(
            saved_token(), community=community or self.community, counter_no=self.counter_no
        )

    def place(self, community: str | None = None) -> str:
        """This counter's community, for the masked reads that need no sign-in."""
        from db.setup import counter_place

        self.open()
        return counter_place(community or self.community, self.counter_no)[0]


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
PasswordStdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="从标准输入读取密码（脚本用）/ read the password from stdin"
    ),
]


def pad(text: str, cells: int) -> str:
    """Left-align in terminal cells: a Chinese character takes two, so columns line up."""
    from rich.cells import cell_len

    return text + " " * max(0, cells - cell_len(text))


def clock_today() -> dt.date:
    """Today by the one clock every recorded time comes from (db/clock.py)."""
    from db.clock import now

    return now().date()


# The clock the CLI reads "today" from; tests pin it (tests/conftest.py `cli`).
CLOCK: Callable[[], dt.date] = clock_today


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
        as_json = bool(kwargs.get("as_json"))
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except CounterError as exc:
            fail(as_json, exc.zh, exc.en)
        except Exception as exc:
            # A database error can only come from a run that imported peewee: looked up here,
            # not imported, so the desk loads it (and on SQLite hides psycopg2) when it opens
            # the database.
            peewee = sys.modules.get("peewee")
            if peewee is not None and isinstance(exc, peewee.IntegrityError):
                from db.errors import translate

                error = translate(exc)
                fail(as_json, error.zh, error.en)
            if peewee is not None and isinstance(exc, peewee.DatabaseError):
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                fail(
                    as_json,
                    f"数据库错误，未保存任何更改：{first}",
                    f"database error, nothing saved: {first}",
                )
            if isinstance(exc, OSError):
                where = f" {exc.filename}" if exc.filename else ""
                reason = exc.strerror or str(exc)
                fail(as_json, f"文件读写失败{where}：{reason}", f"file error{where}: {reason}")
            # a bug of ours: one line for the officer, details in the log
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


def fail(as_json: bool, zh: str, en: str) -> NoReturn:
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
    ascii_borders: Annotated[
        bool,
        typer.Option(
            "--ascii",
            envvar="ZIYANG_ASCII",
            help="桌面用 ASCII 边框（中文字体把制表符画成双宽时）/ ASCII borders in the desk",
        ),
    ] = False,
    high_contrast: Annotated[
        bool,
        typer.Option(
            "--high-contrast",
            envvar="ZIYANG_HIGH_CONTRAST",
            help="桌面高对比度配色（老显示器）/ high-contrast colours in the desk",
        ),
    ] = False,
) -> None:
    """紫阳县搬迁群众社区服务窗口 / Ziyang relocation service counter."""
    import os

    if "ZIYANG_STAFF" in os.environ:  # left over from before sign-in: say so, do not block
        typer.echo(
            "提示：ZIYANG_STAFF 已不再决定经办人，请用 ziyang-counter login 登录（可删除该变量）"
            " / Notice: ZIYANG_STAFF no longer chooses who you are; sign in with 'login'",
            err=True,
        )
    ctx.obj = Session(
        db_url=db,
        catalog_path=catalog,
        community=desk_community,
        counter_no=desk_counter,
        ascii_borders=ascii_borders,
        high_contrast=high_contrast,
    )
    if ctx.invoked_subcommand is None:
        open_desk(ctx.obj)


def in_terminal() -> bool:
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


@guarded
def open_desk(s: Session, signed_in: Any = None) -> None:
    """Run the desk (Textual, imported only here) on the session's database; `signed_in` is a
    (Desk, token) pair when the desk starts signed in (the demo)."""
    if not in_terminal():
        typer.echo(desk_guide(s.db_url))
        raise CounterError(
            "窗口桌面需要在终端中运行（标准输入和输出都应是终端）",
            "the desk needs a terminal (stdin and stdout must both be a terminal)",
        )
    from tui.app import build_app

    def opened() -> Any:
        """The database, opened and checked once the sign-in screen is drawn."""
        load_peewee()
        s.open()
        from db.connection import db as bound

        return bound.obj

    app = build_app(
        opened() if signed_in is not None else None,
        opener=opened,
        catalogue_path=s.catalog_path,
        community=s.community,
        counter_no=s.counter_no,
        session=signed_in,
        high_contrast=s.high_contrast,
        ascii_borders=s.ascii_borders,
    )
    app.run()
    if app.startup_error is not None:
        raise app.startup_error


def desk_guide(db_url: str | None) -> str:
    from db import default_url
    from db.connection import safe_url

    url = safe_url(db_url or default_url())
    return "\n".join(
        [
            "紫阳县搬迁群众社区服务窗口 ziyang-counter",
            f"数据库 / database: {url}",
            "",
            "在终端中直接运行 ziyang-counter 打开窗口桌面 / run it in a terminal to open the desk;",
            "命令行 / the CLI:",
            "  ziyang-counter init --community 社区名 --counter 1      初始化本窗口",
            "  ziyang-counter demo                                     演示数据并打开桌面",
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
    supervisor: Annotated[
        str | None,
        typer.Option(
            "--supervisor",
            help="首位负责人工号（仅在尚无可登录账号时）/ the first supervisor's staff code",
        ),
    ] = None,
    supervisor_name: Annotated[
        str | None,
        typer.Option("--supervisor-name", help="首位负责人姓名 / the first supervisor's name"),
    ] = None,
    password_stdin: PasswordStdinOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """初始化或升级数据库并设置本窗口（可重复运行）；无账号时创建首位负责人 / create or upgrade
    the database; the first supervisor while it has no accounts."""
    from db.accounts import create_first_supervisor
    from db.connection import shown_location
    from db.models import Staff
    from db.setup import init_counter

    s = session(ctx)
    if supervisor is None and password_stdin:
        raise CounterError(
            "--password-stdin 须与 --supervisor 一起使用", "--password-stdin needs --supervisor"
        )
    s.open(ready=False, create=True)
    result = init_counter(community, counter, office_code, phone, reconfigure=reconfigure)
    no_accounts = not Staff.select().where(Staff.password_hash != "").exists()
    if supervisor is None and no_accounts and sys.stdin.isatty() and not as_json:
        typer.echo("本数据库还没有可登录的账号，请设置首位负责人 / set up the first supervisor:")
        supervisor = typer.prompt("负责人工号 / staff code")
        if not Staff.select().exists():
            supervisor_name = supervisor_name or typer.prompt("姓名 / name")
    lines = [
        f"已就绪：{result['community']} {result['counter_no']}号窗口（受理编号前缀 {result['office_code']}）",
        f"Ready: {result['community']}, counter {result['counter_no']}",
        f"数据库 / database: {shown_location()}",  # where a relative sqlite:/// path landed
        *receipt_key_notes(result),
    ]
    if supervisor is not None:
        password = read_password(password_stdin, "负责人密码 / password", confirm=True)
        staff, created = create_first_supervisor(supervisor, supervisor_name, password)
        result["supervisor"] = {"code": staff.code, "name": staff.name, "created": created}
        lines.append(
            f"{'已创建首位负责人' if created else '已为负责人设置密码'} {staff.code} {staff.name}，"
            f"请登录：ziyang-counter login {staff.code}"
        )
    elif no_accounts:
        result["supervisor"] = None
        lines.append(
            "尚无可登录的账号：请运行 ziyang-counter init --supervisor 工号 --supervisor-name 姓名"
            " / no accounts yet: add --supervisor CODE --supervisor-name NAME"
        )
    emit(as_json, result, lines)


@app.command("demo")
@guarded
def demo_cmd(
    ctx: typer.Context,
    no_tui: Annotated[bool, typer.Option("--no-tui", help="只生成数据 / build data only")] = False,
    households: Annotated[int, typer.Option("--households", help="户数 / households")] = 300,
    as_json: JsonOpt = False,
) -> None:
    """生成演示数据库（紫阳真实镇名、有效身份证号、各类居住证状态、一周办件）/ build demo data."""
    from db.accounts import save_token, saved_token, sign_in, sign_out
    from db.connection import data_dir, is_postgres, safe_url, shown_location
    from db.demo import DEMO_OFFICER, DEMO_PASSWORDS, STAFF, build_demo

    s = session(ctx)
    s.db_url = s.db_url or f"sqlite:///{data_dir() / 'demo.db'}"
    catalogue = s.catalogue()
    s.open(ready=False, create=True)  # the demo makes its own database; build_demo guards it
    if not as_json and in_terminal():  # the first build is slow: say so, not a blank screen
        typer.echo("正在准备演示数据（首次约需半分钟）… / preparing the demo data…", err=True)
    summary = build_demo(households=households, catalogue=catalogue)
    # The CLI is signed in as the demo officer, so the lines below work as printed.
    _, token = sign_in(DEMO_OFFICER, DEMO_PASSWORDS[DEMO_OFFICER])
    sign_out(saved_token())  # the session this replaces ends, as at login
    save_token(token)
    summary["accounts"] = [
        {"code": code, "name": name, "role": role, "password": DEMO_PASSWORDS[code]}
        for code, name, role in STAFF
    ]
    summary["signed_in"] = DEMO_OFFICER
    url = safe_url(s.db_url) if is_postgres() else f"sqlite:///{shown_location()}"
    summary["db"] = url
    lines = [
        ("演示数据已存在，未重复生成" if summary["existing"] else "演示数据已生成")
        + f"：{summary['households']}户 {summary['persons']}人，居住证{summary['permits']}张，"
        f"办件{summary['requests']}件",
        f"数据库 / database: {url}",
        "演示账号（仅用于演示）/ demo accounts:",
        *[
            f"  {a['code']} {a['name']}（{a['role']}）密码 {a['password']}"
            for a in summary["accounts"]
        ],
        f"命令行已登录为 {DEMO_OFFICER}（换人：ziyang-counter login 201）/ signed in as {DEMO_OFFICER}",
        "",
        "打开窗口桌面：ziyang-counter demo（已登录为演示窗口人员）/ open the desk: ziyang-counter demo",
        "也可用命令行浏览演示数据 / or explore with the CLI:",
        f"  export ZIYANG_DB={url}",
        f"  ziyang-counter request list --date {summary['latest_day']}",
        f"  ziyang-counter person show --id-number {summary['sample_id']}",
        f"  ziyang-counter check --id-number {summary['sample_id']} --service 选民登记",
        "  ziyang-counter request list --overdue",
    ]
    if no_tui or as_json or not in_terminal():
        emit(as_json, summary, lines)
        return
    # The desk, signed in as the demo officer with a desk session of its own.
    desk_session = sign_in(
        DEMO_OFFICER, DEMO_PASSWORDS[DEMO_OFFICER], community=s.community,
        counter_no=s.counter_no, client="desk",
    )  # fmt: skip
    open_desk(s, desk_session)
    typer.echo("\n".join(lines[:2]))


# ──────────────────────────── signing in ────────────────────────────


def read_password(from_stdin: bool, prompt: str, *, confirm: bool = False) -> str:
    """One line of stdin (--password-stdin, for scripts), or typed hidden at a terminal."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip("\r\n"):
            raise CounterError("标准输入中没有密码", "no password on stdin")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CounterError(
            "请在终端输入密码，或加 --password-stdin 从标准输入读取",
            "type the password at a terminal, or add --password-stdin",
        )
    answer: str = typer.prompt(
        prompt, hide_input=True, confirmation_prompt="再输入一次 / repeat" if confirm else False
    )
    return answer


@app.command("login")
@guarded
def login_cmd(
    ctx: typer.Context,
    code: Annotated[str | None, typer.Argument(help="工号 / staff code")] = None,
    password_stdin: PasswordStdinOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """登录本机命令行（会话保存在数据目录，空闲超时自动失效）/ sign in."""
    from db.accounts import save_token, saved_token, session_idle, sign_in, sign_out

    s = session(ctx)
    s.open()
    if code is None:
        if password_stdin or not sys.stdin.isatty():
            raise CounterError("请写出工号：ziyang-counter login 工号", "give the staff code")
        code = typer.prompt("工号 / staff code")
    password = read_password(password_stdin, "密码 / password")
    desk, token = sign_in(code, password, community=s.community, counter_no=s.counter_no)
    sign_out(saved_token())  # one session per database for this user
    save_token(token)
    minutes = session_idle()
    emit(
        as_json,
        {"staff": {"code": desk.staff_code, "name": desk.staff_name}, "idle_minutes": minutes},
        f"已登录：{desk.staff_code} {desk.staff_name}，{desk.counter_label}；"
        f"空闲{minutes}分钟后需重新登录 / signed in as {desk.staff_code}",
    )


@app.command("logout")
@guarded
def logout_cmd(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """退出登录（会话立即失效）/ sign out."""
    from db.accounts import forget_token, saved_token, sign_out

    s = session(ctx)
    s.open()
    ended = sign_out(saved_token())
    forget_token()
    emit(
        as_json,
        {"signed_out": ended},
        "已退出登录 / signed out" if ended else "本机未登录 / not signed in",
    )


@app.command("whoami")
@guarded
def whoami_cmd(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """当前登录的工作人员 / who is signed in."""
    from db.accounts import ROLES, saved_token, session_info

    s = session(ctx)
    s.open()
    info = session_info(saved_token())
    emit(
        as_json,
        {"staff": info},
        f"{info['code']} {info['name']}（{ROLES[str(info['role'])]}）登录于 {info['signed_in_at']}，"
        f"未操作将于 {info['expires_at']} 失效 / signed in as {info['code']}",
    )


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

    session(ctx).desk()  # a write: signed-in staff only
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
        {"household": view},
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

    session(ctx).desk()  # a write: signed-in staff only
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
    view = person_view(show_person(id_number, s.desk(), today), today, masked=False)
    hh = view["household"]
    permit = view["permit"]
    lines = [
        f"{view['name']}  {view['sex']}  {view['ethnicity']}  {view['birth_date']}生  {view['id_number_full']}",
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


@person_app.command("find")
@guarded
def person_find(
    ctx: typer.Context,
    text: Annotated[
        str,
        typer.Argument(
            help="身份证号、尾号4至6位、姓名或姓名开头、拼音首字母或全拼、受理编号、回执验证码、"
            "户编号 / ID, its last 4-6 digits, name or its start, pinyin initials or full "
            "pinyin, ticket, verification code, household number"
        ),
    ],
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="最多几条 / at most")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """查找搬迁群众或办件（身份证号脱敏显示）/ find people or requests; IDs are masked."""
    from db.search import search

    session(ctx).open()  # masked data only: no sign-in, nothing recorded (as `household show`)
    hits = search(text, limit=limit)
    rows = [
        {
            "kind": hit.kind,
            "name": hit.name,
            "id_number": hit.masked_id,
            "detail": hit.detail,
            "ticket": hit.ticket,
            "household": hit.household,
        }
        for hit in hits
    ]
    lines = [
        f"搬迁户 {hit.household}  {hit.detail}"
        if hit.kind == "household"
        else (f"办件 {pad(hit.ticket, 20)} " if hit.ticket else "")
        + f"{pad(hit.name, 12)} {hit.masked_id}  {hit.detail}"
        for hit in hits
    ]
    lines.append(f"共 {len(rows)} 条" if rows else "没有找到 / nothing found")
    emit(as_json, {"hits": rows, "count": len(rows)}, lines)


# ───────────────────────────────── permits ─────────────────────────────────


def permit_payload(view: dict[str, Any]) -> dict[str, Any]:
    """The JSON every permit command prints: the permit object, as `person show` nests it."""
    return {"permit": view}


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
        f"  {h['on']} {pad(h['kind_label'], 8)} 有效期至{h['valid_until']} {h['note']}"
        + (f"（补录，记录于{local_time(h['at'])}）" if h["backdated"] else "")
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
        community=s.place(at),
        today=today,
        provided=provided or [],
    )
    from forms.summary import decision_lines

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
    emit(as_json, {"request": view}, lines)


def request_lines(view: dict[str, Any]) -> list[str]:
    from forms.summary import (
        RECEIVED_TITLE,
        decision_headline,
        documents_line,
        event_line,
        remedy_line,
    )

    lines = [
        f"受理编号 {view['ticket']}  {view['service']['code']} {view['service']['name']}",
        f"申请人 {view['person']['name']} {view['person']['id_number']}  {view['person']['address']}",
        f"结论 {decision_headline(view)}"
        + f"  状态 {view['status_label']}"
        + ("  【已超期】" if view["overdue"] else ""),
        f"受理 {local_time(view['opened_at'])}{backdated_mark(view)}  承诺办结 {view['promised_by'] or '—'}  "
        f"经办 {view['officer']}",
        documents_line(RECEIVED_TITLE, view["received_documents"]),
        documents_line("缺少材料：", view["missing_documents"]),
    ]
    if view["remedy"]:
        lines.append(remedy_line(view["remedy"]))
    lines += [f"  {event_line(event)}" for event in view.get("events", [])]
    return lines


def listed_time(view: dict[str, Any], one_day: bool) -> str:
    """When a listed request was opened: its time, or for a back-dated one its business day
    marked 补录 (the time it was typed in belongs to another day)."""
    if view.get("backdated"):
        return "补录" if one_day else f"{view['opened_on']} 补录"
    shown = local_time(view["opened_at"])
    return shown[-5:] if one_day else shown


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
    emit(as_json, {"request": view}, [f"已登记 {request.ticket}", *request_lines(view), *hints])


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
            "--status",
            help="状态代码或名称 / status code or label: pending_materials（待补正）|accepted"
            "（已受理）|forwarded（已转办）|referred（已转迁出村）|completed（已办结）|refused（不予办理）",
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
    from db.requests import request_query
    from db.views import check_period, request_rows
    from forms.people import parse_date

    s = session(ctx)
    s.open()
    desk = s.desk() if every_hall else None  # every community: a signed-in supervisor
    community = None if every_hall else s.place()
    day = None if overdue and not date else today_from(date, bounded=False)
    until = parse_date(date_to, "截止日期（--to）") if date_to else None
    if until is not None:
        check_period(day or until, until)  # the same range check as print daily-log
    # "Today" for the overdue flags: the last day listed (as --date means for every command),
    # or the counter's today when listing overdue requests of every day.
    as_of = until or day or today_from(None)
    query = request_query(
        day=day,
        until=until,
        status=status_code(status),
        overdue_on=as_of if overdue else None,
        community=community,
        desk=desk,
    )
    views = request_rows(query, as_of)  # one joined query, read as flat rows
    one_day = day is not None and until in (None, day)
    when = 5 if one_day else 16  # HH:MM for one day, YYYY-MM-DD HH:MM across days
    lines = [
        f"{pad('受理时间', max(when, 8))} {pad('受理编号', 18)} {pad('办理事项', 28)} {pad('当事人', 10)} "
        f"{pad('身份证号', 18)} {pad('办理结论', 12)} 状态"
    ]
    lines += [
        f"{pad(listed_time(v, one_day), max(when, 8))} {pad(v['ticket'], 18)} {pad(v['service']['name'], 28)} "
        f"{pad(v['person']['name'], 10)} {v['person']['id_number']} {pad(v['decision_label'], 12)} "
        f"{v['status_label']}" + (" 超期" if v["overdue"] else "")
        for v in views
    ]
    period = "全部日期" if day is None else (f"{day}" + (f" 至 {until}" if until else ""))
    lines.append(f"共 {len(views)} 件（{period}，超期按 {as_of} 计）")
    emit(as_json, {"requests": views, "count": len(views), "as_of": as_of.isoformat()}, lines)


def status_code(raw: str | None) -> str | None:
    """--status takes a status code or its Chinese label (待补正, 已受理, ...)."""
    from forms.status import STATUS_LABELS

    if raw is None:
        return None
    value = raw.strip()
    by_label = {label: code for code, label in STATUS_LABELS.items()}
    return by_label.get(value, value)


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
    emit(as_json, {"services": rows, "count": len(rows), "version": catalogue.version}, lines)


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


StaffCodeArg = Annotated[str, typer.Argument(help="工号 / staff code")]


def _staff_line(staff: Any, done: str) -> str:
    from db.accounts import ROLES

    state = "" if staff.active else "，已停用"
    return f"{done}：{staff.code} {staff.name}（{ROLES.get(staff.role, staff.role)}{state}）"


def _staff_data(staff: Any) -> dict[str, Any]:
    from db.accounts import staff_view

    return staff_view(staff)


@staff_app.command("add")
@guarded
def staff_add(
    ctx: typer.Context,
    code: StaffCodeArg,
    name: Annotated[str, typer.Argument(help="姓名 / name")],
    role: Annotated[str, typer.Option("--role", help="officer | supervisor")] = "officer",
    password_stdin: PasswordStdinOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """添加工作人员账号及初始密码（负责人）/ add a staff account (supervisor)."""
    from db.accounts import add_staff

    desk = session(ctx).desk()
    password = read_password(password_stdin, f"{code} 的初始密码 / password", confirm=True)
    staff = add_staff(desk, code, name, role, password=password)
    emit(as_json, {"staff": _staff_data(staff)}, _staff_line(staff, "已添加工作人员"))


@staff_app.command("list")
@guarded
def staff_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """全部工作人员 / all staff."""
    from db.accounts import ROLES, list_staff

    session(ctx).desk()
    rows = list_staff()
    emit(
        as_json,
        {"staff": rows, "count": len(rows)},
        [
            f"{r['code']} {pad(str(r['name']), 10)} {ROLES.get(str(r['role']), r['role'])}"
            + ("" if r["active"] else " 已停用")
            + ("" if r["password_set"] else " 未设密码")
            + (f" 锁定至{r['locked_until']}" if r["locked_until"] else "")
            for r in rows
        ],
    )


@staff_app.command("disable")
@guarded
def staff_disable(
    ctx: typer.Context, code: StaffCodeArg, note: NoteOpt = "", as_json: JsonOpt = False
) -> None:
    """停用账号，其登录立即失效（负责人）/ disable an account (supervisor)."""
    from db.accounts import disable_staff

    staff = disable_staff(session(ctx).desk(), code, note)
    emit(as_json, {"staff": _staff_data(staff)}, _staff_line(staff, "已停用"))


@staff_app.command("enable")
@guarded
def staff_enable(
    ctx: typer.Context, code: StaffCodeArg, note: NoteOpt = "", as_json: JsonOpt = False
) -> None:
    """重新启用账号并解除锁定（负责人）/ enable an account again (supervisor)."""
    from db.accounts import enable_staff

    staff = enable_staff(session(ctx).desk(), code, note)
    emit(as_json, {"staff": _staff_data(staff)}, _staff_line(staff, "已启用"))


@staff_app.command("passwd")
@guarded
def staff_passwd(
    ctx: typer.Context,
    code: Annotated[
        str | None, typer.Argument(help="工号，默认本人 / staff code (default: yourself)")
    ] = None,
    password_stdin: PasswordStdinOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """修改本人密码，或（负责人）重设他人密码 / change your password, or (supervisor) another's.

    With --password-stdin: your own needs two lines (current, new); another's one (new)."""
    import unicodedata

    from db.accounts import change_password

    desk = session(ctx).desk()
    own = code is None or unicodedata.normalize("NFKC", code).strip() == desk.staff_code
    current = read_password(password_stdin, "当前密码 / current password") if own else None
    new = read_password(password_stdin, "新密码 / new password", confirm=True)
    staff = change_password(desk, code, new, current_password=current)
    emit(as_json, {"staff": _staff_data(staff)}, _staff_line(staff, "已更改密码"))


@staff_app.command("role")
@guarded
def staff_role(
    ctx: typer.Context,
    code: StaffCodeArg,
    role: Annotated[str, typer.Argument(help="officer | supervisor")],
    as_json: JsonOpt = False,
) -> None:
    """更改角色（负责人）/ change a role (supervisor)."""
    from db.accounts import set_role

    staff = set_role(session(ctx).desk(), code, role)
    emit(as_json, {"staff": _staff_data(staff)}, _staff_line(staff, "角色已更新"))


@staff_app.command("idle-minutes")
@guarded
def staff_idle_minutes(
    ctx: typer.Context,
    minutes: Annotated[
        int | None, typer.Argument(help="空闲多少分钟后须重新登录（1至480）/ minutes")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """查看或（负责人）修改登录空闲超时 / show or (supervisor) set the idle sign-out time."""
    from db.accounts import session_idle, set_session_idle

    s = session(ctx)
    s.open()
    value = session_idle() if minutes is None else set_session_idle(s.desk(), minutes)
    emit(
        as_json,
        {"idle_minutes": value},
        f"登录空闲{value}分钟后失效（新登录及下次操作起生效）/ idle sign-out after {value} minutes",
    )


@staff_app.command("lock-minutes")
@guarded
def staff_lock_minutes(
    ctx: typer.Context,
    minutes: Annotated[
        int | None, typer.Argument(help="窗口桌面无操作多少分钟后锁屏（1至60）/ minutes")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """查看或（负责人）修改桌面锁屏时间 / show or (supervisor) set the desk's idle lock time."""
    from db.accounts import desk_lock_minutes, set_desk_lock_minutes

    s = session(ctx)
    s.open()
    value = desk_lock_minutes() if minutes is None else set_desk_lock_minutes(s.desk(), minutes)
    emit(
        as_json,
        {"lock_minutes": value},
        f"窗口桌面无操作{value}分钟后锁屏 / the desk locks after {value} idle minutes",
    )


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
    value = backdate_window() if days is None else set_backdate_window(days, s.desk())
    emit(
        as_json,
        {"backdate_days": value},
        f"补录期限：--date 最多可早于今天{value}天，不能晚于今天 / "
        f"back-dating window: {value} days",
    )


# ──────────────────────────────── audit ────────────────────────────────

audit_app = typer.Typer(
    help="留痕与核查 / audit: tamper-evident history, who looked", no_args_is_help=True
)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
@guarded
def audit_verify(
    ctx: typer.Context,
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            help="此前留存的链头 链位:哈希（如台账上抄录的），核对其后未被重写 / a head kept "
            "earlier (SEQ:HASH)",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """核验留痕链：办理记录、居住证记录、查看记录是否被改动、删除或插入 / verify the history
    chain; exits 1 naming the first broken row."""
    from db.audit import verify

    session(ctx).open()
    result = verify(anchor)
    head = result["head"]
    head_line = (
        f"链头 / head: {head['seq']}:{head['hash']}（请抄录在当日台账上）"
        if head
        else "链为空 / the chain is empty"
    )
    problem = result["problem"]
    if problem is None:
        emit(
            as_json,
            result,
            [f"留痕链完整：已核验{result['checked']}条记录 / chain intact: "
             f"{result['checked']} rows checked", head_line],
        )  # fmt: skip
        return
    emit(
        as_json,
        result,
        [
            f"留痕链已被破坏 / chain broken：{problem['zh']}",
            f"  {problem['en']}",
            f"此前已核验{result['checked']}条 / {result['checked']} rows checked before it",
        ],
    )
    raise typer.Exit(1)


@audit_app.command("views")
@guarded
def audit_views(
    ctx: typer.Context,
    person: Annotated[
        str | None, typer.Option("--person", help="被查看人身份证号 / whose data (citizen ID)")
    ] = None,
    staff: Annotated[
        str | None, typer.Option("--staff", help="查看人工号 / staff code of who looked")
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="起始日期（查看发生之日）/ from (day of the view)")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="截止日期 / to")] = None,
    limit: Annotated[
        int,
        typer.Option("--limit", help="最多列出条数（最新的在前）/ at most this many, newest first"),
    ] = 200,
    as_json: JsonOpt = False,
) -> None:
    """谁查看了完整个人信息（查看记录）/ who looked at full personal data."""
    from db.audit import list_views
    from forms.people import parse_date

    s = session(ctx)
    s.open()
    first = parse_date(date_from, "起始日期（--from）") if date_from else None
    last = parse_date(date_to, "截止日期（--to）") if date_to else None
    result = list_views(
        s.desk(), id_number=person, staff_code=staff, first=first, last=last, limit=limit
    )
    lines = [
        f"{v['at']}{backdated_mark(v)} {v['staff']['code']} {pad(v['staff']['name'], 8)} "
        f"{v['counter']} {pad(v['what'], 14)} "
        + (f"{v['person']['name']} {v['person']['id_number']}" if v["person"] else "（批量导出）")
        for v in result["views"]
    ]
    more = result["count"] - result["shown"]
    lines.append(
        f"共{result['count']}条查看记录"
        + (f"，显示最新{result['shown']}条（--limit 可调）" if more else "")
        + f" / {result['count']} views"
        + (f", newest {result['shown']} shown" if more else "")
    )
    emit(as_json, result, lines)


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


def checked_target(target: Any, force: bool, *, sheet: bool = False) -> Any:
    """Where a PDF (or an export, `sheet`) may go (printouts/output.py), guarding the open
    database file."""
    from db.connection import sqlite_file
    from printouts.output import checked_target as checked

    return checked(target, force, sqlite_file(), sheet=sheet)


def write_replacing(render: Callable[[str], Any], target: Any) -> Any:
    from printouts.output import write_replacing as replacing

    return replacing(render, target)


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
    today = today_from(None)  # the CLI's one clock
    if date_from or date_to:
        first = parse_date(date_from, "起始日期（--from）", default=today)
        last = parse_date(date_to, "截止日期（--to）", default=today)
    else:
        first = last = parse_date(date, "日期（--date）", default=today)
    # Overdue as of the log's last day, as `request list` judges it: a log never depends on
    # the day it happens to be printed.
    data = daily_log_data(first, last, session(ctx).desk(), last)
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
    if found is None:  # a failure like any other: stderr, and JSON on stdout when asked
        zh, en = (
            "未找到：本数据库没有签发过该验证码的回执",
            "no receipt with this code was issued here",
        )
        if as_json:
            error = {"valid": False, "code": code, "error": {"zh": zh, "en": en}}
            typer.echo(json.dumps(error, ensure_ascii=False))
        typer.echo(f"错误：{zh} / Error: {en}", err=True)
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
        f"{found['community']} 受理于 {local_time(str(found['opened_at']))}"
    )
    if printed["scheme"] == "legacy":
        lines.append(
            f"第{printed['version']}版回执（升级前签发，验证码只涵盖受理编号、身份证号、事项和受理时间）"
        )
    else:
        promised = printed["promised_by"] or "材料补齐后起算"
        lines.append(
            f"第{printed['version']}版回执，{local_time(str(printed['printed_at']))} 打印：状态 {printed['status_label']}，"
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


# ──────────────────────────────── exports ────────────────────────────────


@app.command("export")
@guarded
def export(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Argument(
            help="requests（办件）| persons（人员）| permits（居住证）| households（搬迁户）"
        ),
    ],
    out: Annotated[
        str, typer.Option("--out", help="导出文件 .xlsx 或 .csv / the .xlsx or .csv file")
    ],
    date_from: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="起始日期：办件按受理日期，人员和搬迁户按入住时间，居住证按签发日期 / from "
            "(requests: day opened; persons, households: moved in; permits: issued)",
        ),
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="截止日期 / to")] = None,
    community: Annotated[
        str | None,
        typer.Option(
            "--community",
            help="社区，默认本社区（负责人默认全部社区）/ community (default: yours; a "
            "supervisor's: every one)",
        ),
    ] = None,
    full_ids: Annotated[
        bool,
        typer.Option(
            "--full-ids", help="完整身份证号（负责人，留痕）/ full citizen IDs (supervisor, logged)"
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="覆盖已存在的文件 / overwrite an existing file")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """导出为 Excel（.xlsx）或 CSV / export to a spreadsheet."""
    from pathlib import Path

    from db.exports import KIND_LABELS, prepare_export, record_full_ids
    from forms.people import parse_date
    from printouts.sheets import Column, sheet_format, write_sheet

    sheet_format(out)  # a wrong suffix is refused before anything is read
    first = parse_date(date_from, "起始日期（--from）") if date_from else None
    last = parse_date(date_to, "截止日期（--to）") if date_to else None
    s = session(ctx)
    desk = s.desk()
    today = today_from(None)
    found = prepare_export(
        kind.strip().lower(),
        desk,
        today,
        first=first,
        last=last,
        community=community,
        full_ids=full_ids,
    )
    target = checked_target(Path(out).expanduser(), force, sheet=True)
    columns = [Column(label, cell) for label, cell in found.columns]  # type: ignore[arg-type]
    count = write_sheet(target, columns, found.rows, title=KIND_LABELS[found.kind])
    if found.full_ids:
        try:
            record_full_ids(found, count, desk, today)
        except BaseException:
            target.unlink(missing_ok=True)  # no file of full IDs without its record
            raise
    emit(
        as_json,
        {
            "exported": count,
            "out": str(target),
            "kind": found.kind,
            "community": found.community,
            "full_ids": found.full_ids,
        },
        f"已导出 {count} 行到 {target} / exported {count} rows to {target}",
    )


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
    if result.chain_problem:  # the file is kept (it is evidence), and the run fails loudly
        fail(
            as_json,
            f"备份已保存到 {result.path}，但{result.chain_problem}；请用 audit verify 查明",
            f"backup saved to {result.path}, but its history chain is broken; run audit verify",
        )
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


@app.command("import")
@guarded
def import_cmd(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="名册文件 .xlsx/.xls/.csv / roster file")],
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="工作表名（默认第一张有表头的）/ sheet name")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只检查，不写入 / check only, write nothing")
    ] = False,
    skip_bad: Annotated[
        bool,
        typer.Option("--skip-bad", help="导入无误的行，报告有误的行 / import the good rows"),
    ] = False,
    column_map: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="列名=字段，可重复（如 --map 户主关系=与户主关系）/ COLUMN=FIELD, repeatable",
        ),
    ] = None,
    add_communities: Annotated[
        bool,
        typer.Option(
            "--add-communities",
            help="把名册中的新社区、新安置点加入本县名单 / add new communities and sites",
        ),
    ] = False,
    date: DateOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """导入搬迁户名册（负责人；按身份证号匹配，重复导入不变）/ import a roster (supervisor)."""
    from pathlib import Path

    from db.roster import import_roster
    from printouts.roster_report import is_our_report, report_path, write_report

    desk = session(ctx).desk()
    today = today_from(date)
    path = Path(file).expanduser().absolute()
    show_progress = not as_json and sys.stderr.isatty()
    with import_progress(show_progress) as progress:
        result = import_roster(
            desk,
            path,
            today=today,
            sheet=sheet,
            mapping=column_map or [],
            dry_run=dry_run,
            skip_bad=skip_bad,
            add_communities=add_communities,
            progress=progress,
        )
    data = result.as_dict()
    report = None
    if result.problems:
        report = report_path(path)
        try:
            write_report(report, data["errors"])
            data["report"] = str(report)
        except (OSError, CounterError) as exc:  # what was imported stays imported: say so only
            reason = exc.zh if isinstance(exc, CounterError) else (exc.strerror or str(exc))
            report = None
            data["report"] = None
            typer.echo(
                f"提示：问题清单未能写入 {report_path(path)}（{reason}）"
                f" / Notice: the report could not be written ({reason})",
                err=True,
            )
    # A clean run leaves no report of an earlier run's problems beside the file (a dry run
    # only says it is there); only a report this program wrote, under that exact name.
    stale = None if result.problems else report_path(path)
    if stale is not None and not is_our_report(stale):
        stale = None
    removed = None
    if stale is not None and not dry_run:
        try:
            stale.unlink()
            removed, stale = stale, None
        except OSError as exc:  # what was imported stays imported: say so only
            typer.echo(
                f"提示：旧的问题清单 {stale} 未能删除（{exc.strerror or exc}）"
                f" / Notice: the old report could not be removed ({exc.strerror or exc})",
                err=True,
            )
    data["errors_file_removed"] = str(removed) if removed else None
    data["errors_file_stale"] = str(stale) if stale else None
    blocked = bool(result.problems) and not skip_bad
    if as_json:
        emit(True, data, [])
    else:
        print_import(result, data, report, blocked)
        if removed:
            typer.echo(
                f"已删除旧的问题清单 {removed}（本次无问题）"
                f" / The old error report was removed: {removed}"
            )
        elif stale:
            typer.echo(
                f"提示：旧的问题清单 {stale} 仍在，本次只检查、未删除（正式导入无误后删除）"
                f" / Notice: the old error report is still there ({stale}); a clean import "
                "removes it"
            )
    if blocked:
        if not as_json:
            typer.echo(
                f"错误：名册有{result.skipped}行有误，未导入任何数据（加 --skip-bad 只导入无误的行）"
                f" / Error: {result.skipped} bad rows; nothing was imported (--skip-bad imports "
                "the good rows)",
                err=True,
            )
        raise typer.Exit(1)


def import_progress(shown: bool) -> Any:
    """A rich progress bar with rows per second on stderr, or nothing."""
    import contextlib

    if not shown:
        return contextlib.nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    class Bar:
        def __init__(self) -> None:
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} 行/秒 rows/s"),
                console=Console(stderr=True),
                transient=True,
            )
            self.tasks: dict[str, Any] = {}

        def __enter__(self) -> Callable[[str, int, int], None]:
            self.bar.__enter__()
            return self.update

        def __exit__(self, *exc: object) -> None:
            self.bar.__exit__(None, None, None)

        def update(self, stage: str, done: int, total: int) -> None:
            if stage not in self.tasks:
                label = {"check": "检查 checking", "write": "写入 writing"}.get(stage, stage)
                self.tasks[stage] = self.bar.add_task(label, total=total, rate="—")
            task_id = self.tasks[stage]
            self.bar.update(task_id, completed=done, total=total)
            speed = self.bar.tasks[task_id].speed
            self.bar.update(task_id, rate=f"{speed:,.0f}" if speed else "—")

    return Bar()


IMPORT_TABLE_ROWS = 50  # problems shown on the terminal; the report file has them all


def print_import(result: Any, data: dict[str, Any], report: Any, blocked: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    from forms.text import neutralise

    console = Console(highlight=False, soft_wrap=False)
    if result.problems:
        table = Table(show_lines=False)
        for label in ("行 row", "列 column", "值 value", "原因 reason"):
            table.add_column(label, overflow="fold")
        for problem in data["errors"][:IMPORT_TABLE_ROWS]:
            table.add_row(
                str(problem["row"]),
                neutralise(problem["column"]),
                neutralise(problem["value"]),
                neutralise(f"{problem['reason']['zh']} / {problem['reason']['en']}"),
            )
        console.print(table)
        more = len(data["errors"]) - IMPORT_TABLE_ROWS
        if more > 0:
            console.print(f"……另有{more}条 / {more} more")
        if report is not None:
            console.print(f"问题清单已写入 / report: {report}")
    if data["ignored_columns"]:
        shown = "、".join(neutralise(c) for c in data["ignored_columns"])
        console.print(f"未识别的列（已忽略）/ columns ignored: {shown}")
    if blocked:
        return
    verb = "检查完毕（未写入）" if result.dry_run else "已导入"
    console.print(
        f"{verb}：新增{result.imported}人（{result.households_added}户），更新{result.updated}人，"
        f"未变{result.unchanged}人，跳过有误的{result.skipped}行"
        + (f"；新增社区/安置点{len(result.places_added)}个" if result.places_added else "")
    )
    console.print(
        f"{'Checked (nothing written)' if result.dry_run else 'Imported'}: {result.imported} "
        f"added, {result.updated} updated, {result.unchanged} unchanged, {result.skipped} skipped"
    )


@place_app.command("list")
@guarded
def place_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """本县社区与安置点名单（导入名册时据此核对）/ the county's communities and sites."""
    from db.setup import list_places

    session(ctx).open()
    places = list_places()
    lines = [
        f"{p['town'] or '—'}  {p['community']}" + (f"  {p['site']}" if p["site"] else "")
        for p in places
    ]
    emit(as_json, {"places": places}, lines or ["名单为空 / the list is empty"])


@place_app.command("add")
@guarded
def place_add(
    ctx: typer.Context,
    community: Annotated[str, typer.Argument(help="社区名称 / community")],
    site: Annotated[str, typer.Option("--site", help="安置点 / site")] = "",
    as_json: JsonOpt = False,
) -> None:
    """把社区（及其安置点）加入本县名单（负责人）/ add a community or site (supervisor)."""
    from db.setup import add_place_by

    place = add_place_by(session(ctx).desk(), community, site)
    shown = f"{place['community']}" + (f" {place['site']}" if place["site"] else "")
    emit(
        as_json,
        {"place": place},
        f"{'已加入名单' if place['added'] else '名单中已有'}：{shown} / "
        f"{'added' if place['added'] else 'already listed'}",
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
    from db.backup import check_file, restore, target_rows
    from db.connection import db as bound
    from db.connection import shown_location

    check_file(Path(file).expanduser().absolute())  # before anything is opened or made
    s = session(ctx)
    s.open(ready=False, create=True)
    # Replacing data is a supervisor's: signed in (an empty database on a new PC needs none).
    result = restore(Path(file), force=force, desk=s.desk() if force and target_rows() else None)
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


def wants_postgres(argv: list[str], environ: Mapping[str, str]) -> bool:
    """Whether this run may open PostgreSQL: any argument or ZIYANG_DB naming it. Erring on the
    side of yes costs only start-up time."""
    texts = [*argv, environ.get("ZIYANG_DB", "")]
    return any("postgres" in text.lower() for text in texts)


def load_peewee() -> None:
    """Import peewee for this run: with psycopg2 hidden unless the run may use PostgreSQL."""
    import os

    if not wants_postgres(sys.argv[1:], os.environ):
        import_peewee_without_psycopg2()


def import_peewee_without_psycopg2() -> None:
    """Import peewee with psycopg2 hidden, so a SQLite run does not load the PostgreSQL driver
    and libpq (about 10 ms and 7 MB at every start). peewee looks for psycopg2 once, at import;
    a run that may use PostgreSQL must not call this (peewee would then report the driver
    missing). The playhouse modules that look for it too (db_url, migrate) are imported only
    by a PostgreSQL connection and by a schema upgrade."""
    if "peewee" in sys.modules or "psycopg2" in sys.modules:
        return
    sys.modules["psycopg2"] = None  # type: ignore[assignment]  # `import psycopg2` fails
    try:
        import peewee  # noqa: F401
    finally:
        del sys.modules["psycopg2"]


# The global options (main_callback's), by whether they take a value; a test keeps these
# in step with the callback.
GLOBAL_VALUE_OPTIONS = frozenset({"--db", "--catalog", "--desk-community", "--desk-counter"})
GLOBAL_FLAGS = frozenset({"--ascii", "--high-contrast"})


def named_command(argv: list[str]) -> str | None:
    """The command or command group argv names after the global options: "" when it names
    none (the desk), None when that is unclear (--help, an unknown option)."""
    index = 0
    while index < len(argv):
        token = argv[index]
        option = token.partition("=")[0]
        if option in GLOBAL_VALUE_OPTIONS:
            index += 1 if "=" in token else 2
        elif token in GLOBAL_FLAGS:
            index += 1
        elif token.startswith("-"):
            return None
        else:
            return token
    return ""


def narrowed(full: typer.Typer, argv: list[str]) -> typer.Typer:
    """The CLI with only the command (or group) argv runs, and the global options.

    typer builds the click command of every command before it runs one (about 20 ms for our
    60 commands at every start); the command that runs, its help and its errors are the same
    either way. Help of the whole CLI, and a name no command has (whose error lists them all),
    get the whole CLI."""
    name = named_command(argv)
    if name is None:
        return full
    commands = [info for info in full.registered_commands if info.name == name]
    groups = [info for info in full.registered_groups if info.name == name]
    if name and not (commands or groups):
        return full
    slim = copy.copy(full)
    slim.registered_commands = commands
    slim.registered_groups = groups
    return slim


def main() -> None:
    if named_command(sys.argv[1:]) != "":  # the desk loads it after its first screen
        load_peewee()
    narrowed(app, sys.argv[1:])()


if __name__ == "__main__":
    main()
