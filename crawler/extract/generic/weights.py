"""Every heuristic weight of the generic extractor, in one place, each with its reason.

Change one, then run `scripts/bench_extract` (and `scripts/bench_sites`) to see what it does.
Distances are counted in elements of the page, in document order ("nodes").
"""

from crawler.extract.datelines import Rank

# --- page regions (analysis.Analysis) --------------------------------------------------------------
# A sidebar, header or footer never holds half of a page's text: a class-marked region that does is
# a layout wrapper whose class merely mentions one ("content-with-sidebar", "c_head_blue").
CHROME_REGION_MAX_SHARE = 0.5
# Below this much text the main block is no article (about 50 words): the page is read a second time
# with page regions known by their tags only, and the longer reading wins.
SECOND_READING_BELOW_CHARS = 250
# An article split over sibling containers (story columns): the body climbs to the ancestor whose
# other children hold at least this share of the best block's paragraph text, at most this many levels.
SIBLING_TEXT_SHARE = 0.5
SIBLING_LEVELS = 2
# ... counting only siblings that read like prose: a teaser list has far more of its text in links;
# and only for a long best block (a split story): beside a short news item the title, the sapo and the
# cover would count as "text" and pull the related lists in.
SIBLING_MAX_LINK_SHARE = 0.15
SIBLING_MIN_CHARS = 1000
# The best blocks looked at when the best one turns out to be the site's footer.
MAIN_CANDIDATES = 5

# --- the publication date line (dateline.find_date) -------------------------------------------
# A date line is short: "Thứ Hai, 23/10/2017 10:20 (GMT+7) | Lượt xem: 1234" fits; a paragraph does not.
DATE_LINE_MAX_CHARS = 110
DATE_LINE_MIN_CHARS = 6  # "1/1/2020" and more; a <time> element may be empty text with a datetime
# A label counts ("Ngày đăng" beats a plain date, which beats "Cập nhật"; "Ngày chỉnh sửa" is the
# edit time, taken only when the page shows nothing else).
DATE_RANK_POINTS = {Rank.PUBLISHED: 0.7, Rank.PLAIN: 0.0, Rank.UPDATED: -0.6, Rank.EDITED: -2.5}
# The dateline sits next to the title: every 40 nodes after it cost a point; before the title it
# costs a point at once (header "today" lines sit there) and a point per 15 nodes more.
DATE_NODES_AFTER_PER_POINT = 40
DATE_BEFORE_ANCHOR_PENALTY = 1.0
DATE_NODES_BEFORE_PER_POINT = 15
# Inside the article block only its first elements may hold the dateline; deeper it is the text's
# own dates (history, deadlines).
DATE_BODY_HEAD_NODES = 12
DATE_INSIDE_BODY_PENALTY = 0.5
# After the body: related lists and footers, far less likely.
DATE_AFTER_BODY_PENALTY = 2.0
DATE_NODES_AFTER_BODY_PER_POINT = 20
DATE_CLASS_POINTS = 0.7  # <time>, or class "date"/"time"/"ngay-dang" on the element or its parent
DATE_TIME_POINTS = 0.5  # a publication stamp carries the time; history and "today" lines rarely do
DATE_IN_TOOLBAR_PENALTY = 0.3  # inside a tool bar (share, print): possible, less likely
LIST_ENTRY_MAX_CHARS = 300  # a related-list entry: a headline and its date, not a layout table's row
LABEL_MAX_CHARS = 40  # "<b>Ngày đăng:</b>" before a date element: a label, not a sentence

# --- bylines around the body (byline.byline_near_body) --------------------------------------------------
# A bare name right after the article block is its byline when it is short; a longer first line
# after the text is a related headline or a notice.
FIRST_BYLINE_MAX_CHARS = 80
# Between the title and the text a byline element is short: a name, perhaps a degree and a unit.
UNDER_TITLE_BYLINE_MAX_CHARS = 120
