"""The overview's panels beyond its own figures: reporting status, the latest evaluation ranking, the project
pipeline and the chains' weakest links, each a Chart built from its app's selectors for one region."""

from jiqun.dashboards.charts import Chart


def overview_panels(user, *, programme, region_code: str, year: int | None, quarter: int | None) -> list[Chart]:
    """The panels of the overview of `region_code` (a province, city or county) as `user` may see them."""
    return []
