"""Data Docs whose index reads offline.

Great Expectations fills the index page's tables (expectation suites, validation
results) with the bootstrap-table script from a CDN; without network access the page
lists nothing. This view renders those rows as HTML too (the script, when it loads,
still turns them into its sortable tables): ``custom_data_docs/views/bootstrap_table.j2``
comes before the package's template of that name.
"""

from __future__ import annotations

from pathlib import Path

from great_expectations.render.view import DefaultJinjaIndexPageView
from jinja2 import ChoiceLoader, FileSystemLoader

VIEWS = Path(__file__).parent / "custom_data_docs" / "views"


class OfflineIndexPageView(DefaultJinjaIndexPageView):
    """The default index page view, with this project's templates first."""

    def __init__(self, custom_styles_directory: str | None = None, custom_views_directory: str | None = None) -> None:
        super().__init__(custom_styles_directory, custom_views_directory)
        self.env.loader = ChoiceLoader([FileSystemLoader(str(VIEWS)), self.env.loader])
