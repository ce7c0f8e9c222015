"""Text from the data, made inert where the page would read it as markup.

`literal` is the one way a piece of data reaches a call that renders Streamlit markdown
(st.markdown, st.write, st.caption, alerts, toasts, subheaders, expander/tab/widget labels, radio
and segmented-control options, metric labels, st.table cells, help tooltips); `label` is the one
way it reaches a Plotly title, label or hover text (Plotly reads <a href>, <b>, <br>). A department
named "[Sign in again](https://…)", "![](https://tracker…)" or "https://evil.test" must show as
those characters. tests/test_markup.py sweeps pages/ and ui/ for calls that bypass them.
"""

from __future__ import annotations

import re

from analysis.words import label as label  # the one Plotly-label escape, shared with the report pack

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&=])")
# Streamlit's markdown (remark-gfm) turns bare "http://…", "www.…" and "name@host.tld" in *text*
# into links, after backslash escapes are resolved; an invisible WORD JOINER (U+2060) after
# "http"/"https"/"www" and after "@" breaks those patterns without changing what people read.
_AUTOLINK = re.compile(r"(?i)(https?(?=:)|www(?=\.)|@)")
WORD_JOINER = "\u2060"


def literal(value: object) -> str:
    """value as markdown that shows exactly its characters: every markdown punctuation escaped,
    and no bare URL or e-mail address for the renderer to turn into a link."""
    return _MARKDOWN.sub(r"\\\1", _AUTOLINK.sub(r"\1" + WORD_JOINER, str(value)))
