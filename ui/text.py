"""Text from the data, made inert where the page would read it as markup: Streamlit's markdown
(st.markdown, st.write, captions, alerts and st.table cells render links, images, colours and
formulas) and Plotly's labels (which render <a href>, <b>, <br>). A department named
"[Reset your password](https://…)" or "![](https://tracker…)" must show as those characters."""
from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&])")


def literal(value: object) -> str:
    """value as markdown that shows exactly its characters (every markdown punctuation escaped)."""
    return _MARKDOWN.sub(r"\\\1", str(value))


def label(value: object) -> str:
    """value as a Plotly label that shows its < > & instead of reading them as tags."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
