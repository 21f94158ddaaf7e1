"""Formula cells, recomputed from the cells they refer to: calamine gives only cached values, which a file
never opened in Excel has as 0, so the sheet's XML is read and the arithmetic redone."""

import html
import io
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from xlsxwriter.utility import xl_col_to_name

from jiqun.monitoring.importer.cells import parse_number

MAX_RANGE_CELLS = 10_000


# Lazy: the search runs on a worker thread, where the user's language is not active; the text is read in the
# problem message, on the request's thread.
SHARED_FORMULA = gettext_lazy("（共享公式）")

def _sheet_path(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The part name of a worksheet, through workbook.xml and its relationships (WPS and LibreOffice name parts freely)."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    for match in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        tag = match.group(0)
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]*)"', tag) or re.search(r'\bid="([^"]*)"', tag)
        if name and rid and html.unescape(name.group(1)) == sheet_name:
            for rel in re.finditer(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
                if f'Id="{rid.group(1)}"' in rel.group(0):
                    target = re.search(r'Target="([^"]*)"', rel.group(0)).group(1)
                    return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


CELL_REF = re.compile(r"(?<![A-Za-z0-9_.!\"'])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\w(])")


def col_index(letters: str) -> int:
    """0-based column of a column name: A → 0, AA → 26."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _shift(formula: str, rows: int, cols: int) -> str:
    """A shared formula as it reads in a cell `rows` below and `cols` right of the master cell."""

    def move(match: re.Match) -> str:
        col_abs, col, row_abs, row = match.groups()
        if not col_abs:
            col = xl_col_to_name(col_index(col) + cols)
        if not row_abs:
            row = str(int(row) + rows)
        return f"{col_abs}{col}{row_abs}{row}"

    return CELL_REF.sub(move, formula)


def read_formulas(content: bytes, sheet_name: str, columns: set[int],
                  xml: bytes | None = None) -> dict[tuple[int, int], str] | None:
    """Every formula in the given columns (0-based) of a worksheet: {(row, col): formula}, 0-based; None if unreadable.

    calamine gives only the cached results, so the sheet's XML is searched for <f> elements. Only the
    columns the importer reads are searched: the template's 同比 column holds 100,000s of formulas that
    the importer ignores anyway. The importer passes the sheet's `xml` as its bounds check already read it.
    """
    if xml is None:
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                path = _sheet_path(archive, sheet_name)
                xml = archive.read(path) if path else None
        except (KeyError, zipfile.BadZipFile, UnicodeDecodeError):
            return None
    if xml is None:
        return None
    prefix = re.search(rb"<(\w+:)?worksheet\b", xml)
    tag = prefix.group(1) or b"" if prefix else b""
    letters = sorted((xl_col_to_name(c).encode() for c in columns), key=len, reverse=True)
    cell = re.compile(rb"<" + tag + rb'c r="(' + b"|".join(letters) + rb')(\d+)"[^>]*>\s*<' + tag
                      + rb"f\b([^>]*?)(?:/>|>([^<]*)</" + tag + rb"f>)")
    formulas: dict[tuple[int, int], str] = {}
    shared: dict[bytes, tuple[int, int, str]] = {}
    followers = []
    for letters_, row_text, attributes, text in cell.findall(xml):
        row, col = int(row_text) - 1, col_index(letters_.decode())
        formula = html.unescape(text.decode("utf-8"))
        index = re.search(rb'\bsi="(\d+)"', attributes) if b"shared" in attributes else None
        if index and formula:
            shared[index.group(1)] = (row, col, formula)
        elif index:
            followers.append((row, col, index.group(1)))
            continue
        formulas[(row, col)] = formula
    for row, col, index in followers:
        master = shared.get(index)
        # A follower whose master lies in a column not searched cannot be rebuilt: say so rather than trust it.
        formulas[(row, col)] = _shift(master[2], row - master[0], col - master[1]) if master else SHARED_FORMULA
    return formulas


FORMULA_TOKEN = re.compile(r"""\s*(?:
    (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<function>[A-Za-z][A-Za-z0-9.]*)\(
  | (?P<range>\$?[A-Za-z]{1,3}\$?\d+:\$?[A-Za-z]{1,3}\$?\d+)
  | (?P<ref>\$?[A-Za-z]{1,3}\$?\d+)
  | (?P<op>[-+*/^(),])
)""", re.X)


class FormulaError(ValueError):
    pass


class FormulaEvaluator:
    """Recompute +, -, *, /, ^, parentheses, SUM and ROUND over numbers and the sheet's number cells."""

    def __init__(self, rows: list[list], formulas: dict[tuple[int, int], str], units: dict[int, str]) -> None:
        self.rows = rows
        self.formulas = formulas
        self.units = units  # 0-based column → unit, for the columns a formula may refer to
        self.busy: set[tuple[int, int]] = set()

    def cell(self, row: int, col: int) -> Decimal:
        name = f"{xl_col_to_name(col)}{row + 1}"
        if col not in self.units:
            raise FormulaError(_("引用了 %(cell)s（不是数值列）") % {"cell": name})
        if (row, col) in self.formulas:
            if (row, col) in self.busy:
                raise FormulaError(_("发现循环引用（%(cell)s）") % {"cell": name})
            self.busy.add((row, col))
            try:
                return self.evaluate(self.formulas[(row, col)])
            finally:
                self.busy.discard((row, col))
        raw = self.rows[row][col] if row < len(self.rows) and col < len(self.rows[row]) else None
        try:
            number = parse_number(raw, self.units[col])
        except ValueError as exc:
            raise FormulaError(_("引用的 %(cell)s 不是数字（%(problem)s）") % {"cell": name, "problem": exc}) from None
        return number if number is not None else Decimal(0)

    def evaluate(self, formula: str) -> Decimal:
        tokens, position = [], 0
        text = formula.lstrip("=").rstrip()
        while position < len(text):
            match = FORMULA_TOKEN.match(text, position)
            if not match or match.end() == position:
                raise FormulaError(_("无法识别“%(text)s”") % {"text": text[position:position + 10]})
            kind = match.lastgroup
            tokens.append((kind, match.group(kind)))
            position = match.end()
        outer = getattr(self, "tokens", None), getattr(self, "position", 0)  # a referenced formula is evaluated inside
        self.tokens, self.position = tokens, 0
        try:
            value = self._sum()
            if self.position != len(tokens):
                raise FormulaError(_("公式不完整"))
        finally:
            self.tokens, self.position = outer
        return value

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self, op: str | None = None) -> tuple[str, str]:
        token = self._peek()
        if token is None or (op is not None and token != ("op", op)):
            raise FormulaError(_("公式不完整"))
        self.position += 1
        return token

    def _sum(self) -> Decimal:
        value = self._product()
        while self._peek() in (("op", "+"), ("op", "-")):
            value = value + self._product() if self._take()[1] == "+" else value - self._product()
        return value

    def _product(self) -> Decimal:
        value = self._unary()
        while self._peek() in (("op", "*"), ("op", "/")):
            if self._take()[1] == "*":
                value *= self._unary()
            else:
                divisor = self._unary()
                if divisor == 0:
                    raise FormulaError(_("除数为 0"))
                value /= divisor
        return value

    def _unary(self) -> Decimal:
        if self._peek() in (("op", "+"), ("op", "-")):
            return -self._unary() if self._take()[1] == "-" else self._unary()
        value = self._atom()
        if self._peek() == ("op", "^"):
            self._take()
            exponent = self._unary()
            if exponent != exponent.to_integral_value() or abs(exponent) > 20:
                raise FormulaError(_("只支持整数次幂"))
            value = value ** int(exponent)
        return value

    def _atom(self) -> Decimal:
        kind, text = self._take()
        if kind == "number":
            return Decimal(text)
        if kind == "ref":
            return self.cell(*self._address(text))
        if kind == "op" and text == "(":
            value = self._sum()
            self._take(")")
            return value
        if kind == "function":
            return self._function(text.upper())
        raise FormulaError(_("无法计算“%(text)s”") % {"text": text})

    def _address(self, ref: str) -> tuple[int, int]:
        match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", ref)
        return int(match.group(2)) - 1, col_index(match.group(1).upper())

    def _function(self, name: str) -> Decimal:
        args: list[Decimal] = []
        if self._peek() != ("op", ")"):
            while True:
                token = self._peek()
                if token is not None and token[0] == "range" and name == "SUM":
                    self._take()
                    start, end = (self._address(part) for part in token[1].split(":"))
                    rows = range(min(start[0], end[0]), max(start[0], end[0]) + 1)
                    cols = range(min(start[1], end[1]), max(start[1], end[1]) + 1)
                    if len(rows) * len(cols) > MAX_RANGE_CELLS:
                        raise FormulaError(_("求和范围过大"))
                    args += [self.cell(r, c) for r in rows for c in cols]
                else:
                    args.append(self._sum())
                if self._peek() != ("op", ","):
                    break
                self._take()
        self._take(")")
        if name == "SUM":
            return sum(args, Decimal(0))
        if name == "ROUND" and len(args) == 2 and args[1] == args[1].to_integral_value():
            return args[0].quantize(Decimal(1).scaleb(-int(args[1])), rounding=ROUND_HALF_UP)
        raise FormulaError(_("不支持函数 %(function)s") % {"function": name})


# The importer --------------------------------------------------------------------------------------


