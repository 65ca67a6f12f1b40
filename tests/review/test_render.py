"""Students' answers on the review page: everything they wrote is escaped; Markdown, math and code are shown as
written."""

from __future__ import annotations

from grader.review.render import answer, code, markdown


def test_html_in_an_answer_is_text():
    html = markdown('<script>alert("x")</script> <img src=x onerror=alert(1)> **<b>bold</b>**')
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<strong>&lt;b&gt;bold&lt;/b&gt;</strong>" in html


def test_math_is_kept_as_written_in_code_spans():
    html = markdown(r"Since $\sigma'(z) \le 1/4$, and $$\prod_k \sigma'(z_k) \to 0$$ and \(x<1\).")
    assert r'<code class="math" title="math, as written">$\sigma&#x27;(z) \le 1/4$</code>' in html
    assert r"$$\prod_k \sigma&#x27;(z_k) \to 0$$" in html and r"\(x&lt;1\)" in html
    block = markdown("$$\nJ = \\frac{1}{2} \\|y - \\hat y\\|^2\n$$")
    assert block.startswith('<pre class="math"') and "\\frac{1}{2}" in block
    assert "<em>" not in markdown("$a_1 b_2$ and $x*y*z$")  # no emphasis inside math


def test_markdown_blocks():
    html = markdown("# Why\n\nFirst *point*,\ncontinued.\n\n- cheap\n- sparse\n\n1. one\n2. two\n\n"
                    "see [the notes](http://example.com/?a=1&b=2)")
    assert "<h4>Why</h4>" in html and "<p>First <em>point</em>, continued.</p>" in html
    assert "<ul><li>cheap</li><li>sparse</li></ul>" in html and "<ol><li>one</li><li>two</li></ol>" in html
    assert "the notes &lt;http://example.com/?a=1&amp;b=2&gt;" in html and "href" not in html
    assert markdown("   ") == '<p class="empty">(empty answer)</p>'


def test_code_has_line_numbers_and_stays_escaped():
    html = markdown("Here:\n```python\ndef f(x):\n    return x < 1 and '<b>'\n```\nDone.")
    assert '<ol class="code" data-language="python"><li><code>def f(x):</code></li>' in html
    assert "<li><code>    return x &lt; 1 and &#x27;&lt;b&gt;&#x27;</code></li></ol>" in html
    assert html.endswith("<p>Done.</p>")
    assert code("a\n\nb\n").count("<li>") == 3
    assert answer("x = 1 # *not* emphasis", "code") == \
        '<ol class="code"><li><code>x = 1 # *not* emphasis</code></li></ol>'
