"""The tool's own tests read the grader's English words (their assertions quote them), so
they run in English whatever the machine's locale; tests of another language (test_chinese.py,
test_locale.py) choose it themselves."""

import os

from grader import text

os.environ[text.LANG_ENV] = text.FALLBACK
text._language = None
