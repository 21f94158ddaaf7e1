"""Server-side charts for the reports (PDF and Word): a `jiqun.dashboards.charts.Chart` (built by the report's builder,
the same object a page draws with ECharts) drawn by matplotlib as PNG.

Agg backend (no display), a CJK font found among the installed fonts through matplotlib's font manager
(Noto Sans/Serif CJK from Debian's fonts-noto-cjk first); no file is fetched. A missing value (None) is a
gap in the line, never zero. Only formatting happens here: the numbers are the chart's.
"""

import base64
import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

# In order of preference: what a government PC may have, then Debian's Noto CJK.
CJK_FAMILIES = ("FZXiaoBiaoSong-B05S", "方正小标宋简体", "Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC",
                "WenQuanYi Zen Hei", "SimHei")
COLOURS = ("#c23531", "#5470c6", "#91cc75", "#fac858")


def _weight(weight) -> int:
    return weight if isinstance(weight, int) else font_manager.weight_dict.get(str(weight), 400)


@lru_cache(maxsize=1)
def cjk_font() -> font_manager.FontProperties | None:
    """The first installed CJK font of CJK_FAMILIES (None when there is none: the chart then draws without
    Chinese labels' glyphs, which `test_pdf` guards against)."""
    installed: dict[str, str] = {}
    for entry in sorted(font_manager.fontManager.ttflist, key=lambda f: abs(_weight(f.weight) - 400)):
        installed.setdefault(entry.name, entry.fname)  # the regular weight of each family first
    for family in CJK_FAMILIES:
        if family in installed:
            return font_manager.FontProperties(fname=installed[family])
    # matplotlib reads the first face of a .ttc collection: Debian's Noto CJK collections list as "Noto Sans CJK
    # JP", which holds every simplified Chinese character too.
    for entry in font_manager.fontManager.ttflist:
        if "CJK" in entry.name and ("SC" in entry.name or "JP" in entry.name):
            return font_manager.FontProperties(fname=entry.fname)
    return None


def _tick(value: float, _position) -> str:
    """An axis label as figures are written (thousands separated), never in scientific notation."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def chart_png(chart, *, width: float = 7.0, height: float | None = None, dpi: int = 200,
              title: bool = True) -> bytes:
    """The chart as PNG: kind "line" (one line per series), "bar" (groups of bars, categories on x) or "hbar"
    (categories on y, every name shown, the height grown with their number); the unit on the value axis.
    `title=False` leaves the title out, for a document that captions the chart under it (图1 …)."""
    font = cjk_font()

    def text(size: float) -> dict:
        if font is None:
            return {"fontsize": size}
        sized = font.copy()
        sized.set_size(size)
        return {"fontproperties": sized}

    horizontal = chart.kind == "hbar"
    if height is None:
        # about a quarter inch per category and pair of bars; at most the height of an A4 page's text
        height = min(8.0, max(1.9, 0.8 + 0.13 * len(chart.categories) * max(1, len(chart.series)))) if horizontal \
            else 1.9
    figure = Figure(figsize=(width, height), dpi=dpi)
    axes = figure.add_subplot()
    positions = list(range(len(chart.categories)))
    count = max(1, len(chart.series))
    for index, series in enumerate(chart.series):
        values = [float(v) if v is not None else float("nan") for v in series.values]
        colour = COLOURS[index % len(COLOURS)]
        step = 0.8 / count
        offsets = [p - 0.4 + step * (index + 0.5) for p in positions]
        if chart.kind == "bar":
            axes.bar(offsets, values, width=step, color=colour, label=series.name)
        elif horizontal:
            axes.barh(offsets, values, height=step, color=colour, label=series.name)
        else:
            axes.plot(positions, values, marker="o", markersize=3, linewidth=1.6, color=colour, label=series.name,
                      linestyle="-" if index == 0 else "--")
    value_axis = axes.xaxis if horizontal else axes.yaxis
    value_axis.set_major_formatter(FuncFormatter(_tick))
    axes.tick_params(axis="x" if horizontal else "y", labelsize=7)
    if horizontal:
        axes.set_yticks(positions)
        axes.set_yticklabels(chart.categories, **text(7))
        axes.invert_yaxis()  # the first category on top, as in the table
        if chart.unit:
            axes.set_xlabel(chart.unit, **text(7))
        axes.grid(axis="x", linewidth=0.4, alpha=0.5)
    else:
        axes.set_xticks(positions)
        step = max(1, len(positions) // 8)  # at most about eight labels
        axes.set_xticklabels([c if i % step == 0 or i == len(positions) - 1 else ""
                              for i, c in enumerate(chart.categories)], **text(6.5))
        if chart.unit:
            axes.set_ylabel(chart.unit, **text(7))
        axes.grid(axis="y", linewidth=0.4, alpha=0.5)
    if title:
        axes.set_title(chart.title, **text(9))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if horizontal:  # above the bars, which fill the whole width
        axes.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncol=len(chart.series),
                    prop=text(7).get("fontproperties"), fontsize=7)
    else:
        axes.legend(frameon=False, loc="upper left", prop=text(7).get("fontproperties"), fontsize=7)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=dpi)
    return out.getvalue()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
