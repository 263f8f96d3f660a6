"""The letter's wording follows the council's counts: rendered through the real templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.letters import render_letter, render_letter_html
from tests.records import council
from tests.textutil import html_text

DELAY_CLOSING = (
    "While I acknowledge the pressures councils are under, such delays add to the injustice "
    "already suffered by complainants. Additionally, the actions you agree to take, and your "
    "performance in implementing them, are reported publicly on our website, so are likely to "
    "generate increased public and media scrutiny in future. I invite the Council to consider "
    "how it might make improvements to reduce delays in the remedy process and to ensure it "
    "tells us promptly when it completes a remedy."
)


def delay_paragraph(project: Path, outcomes: int, complied: int, late: int, **extra) -> str:
    text = render_letter(
        project,
        2021,
        council(
            statistics={"compliance_outcomes": outcomes, "complied": complied},
            late_remedies=late,
            **extra,
        ),
    )
    start = text.index("This should be considered when making comparisons")
    start = text.index(".", start) + 2
    end = text.index("Supporting complaint and service improvement")
    return text[start:end].strip()


# (compliance outcomes, complied, late) → the two opening sentences
DELAY_OPENINGS = {
    (3, 3, 2): "It is pleasing that we recorded our satisfaction with your Council's compliance "
    "in the three cases where we recommended a remedy. However, it is disappointing that in two "
    "of these cases, remedies were not completed within the agreed timescales.",
    (1, 1, 1): "It is pleasing that we recorded our satisfaction with your Council's compliance "
    "in the one case where we recommended a remedy. However, it is disappointing that this "
    "remedy was not completed within the agreed timescales.",
    (4, 4, 1): "It is pleasing that we recorded our satisfaction with your Council's compliance "
    "in the four cases where we recommended a remedy. However, it is disappointing that in one "
    "of these cases, the remedy was not completed within the agreed timescales.",
    (2, 2, 2): "It is pleasing that we recorded our satisfaction with your Council's compliance "
    "in the two cases where we recommended a remedy. However, it is disappointing that in both "
    "of these cases, remedies were not completed within the agreed timescales.",
    (5, 5, 5): "It is pleasing that we recorded our satisfaction with your Council's compliance "
    "in the five cases where we recommended a remedy. However, it is disappointing that in all "
    "five of these cases, remedies were not completed within the agreed timescales.",
    (12, 12, 10): "It is pleasing that we recorded our satisfaction with your Council's "
    "compliance in the 12 cases where we recommended a remedy. However, it is disappointing "
    "that in 10 of these cases, remedies were not completed within the agreed timescales.",
    (4, 3, 2): "We recorded our satisfaction with your Council's compliance in three of the four "
    "cases where we recommended a remedy. However, it is disappointing that in two of these "
    "cases, remedies were not completed within the agreed timescales.",
    (3, 1, 1): "We recorded our satisfaction with your Council's compliance in one of the three "
    "cases where we recommended a remedy. However, it is disappointing that in that case, the "
    "remedy was not completed within the agreed timescales.",
}


@pytest.mark.parametrize(("outcomes", "complied", "late"), sorted(DELAY_OPENINGS))
def test_compliance_delay_paragraph_is_grammatical_and_true(
    project: Path, outcomes: int, complied: int, late: int
) -> None:
    paragraph = delay_paragraph(project, outcomes, complied, late)
    assert paragraph == f"{DELAY_OPENINGS[outcomes, complied, late]} {DELAY_CLOSING}"


def test_compliance_below_100_percent_never_claims_satisfaction_in_every_case(
    project: Path,
) -> None:
    paragraph = delay_paragraph(project, 4, 3, 2)
    assert "It is pleasing" not in paragraph
    assert "in the four cases" not in paragraph


def test_council_detail_sits_between_opening_and_closing(project: Path) -> None:
    detail = "We recognise the Council's particular difficulties."
    paragraph = delay_paragraph(project, 3, 3, 2, late_remedies_detail=detail)
    assert paragraph == f"{DELAY_OPENINGS[3, 3, 2]} {detail} {DELAY_CLOSING}"


@pytest.mark.parametrize("late", [None, 0])
def test_no_compliance_delay_paragraph_without_late_remedies(project: Path, late) -> None:
    record = council() if late is None else council(late_remedies=late)
    text = render_letter(project, 2021, record)
    assert "not completed within the agreed timescales" not in text
    assert "such delays" not in text


@pytest.mark.parametrize(
    ("courses", "sentence"),
    [
        (
            3,
            "We were pleased to deliver three online complaint handling courses to your staff "
            "during the year. I welcome your Council's investment in good complaint handling "
            "training and trust the courses were useful to you.",
        ),
        (
            1,
            "We were pleased to deliver one online complaint handling course to your staff "
            "during the year. I welcome your Council's investment in good complaint handling "
            "training and trust the course was useful to you.",
        ),
        (14, "We were pleased to deliver 14 online complaint handling courses to your staff"),
    ],
)
def test_training_sentence(project: Path, courses: int, sentence: str) -> None:
    assert sentence in render_letter(project, 2021, council(training_courses=courses))


def test_no_training_sentence_when_no_courses(project: Path) -> None:
    assert "We were pleased to deliver" not in render_letter(project, 2021, council())


def test_singular_counts_on_the_statistics_page(project: Path) -> None:
    text = render_letter(
        project,
        2020,
        council(
            statistics={
                "investigations": 1,
                "upheld": 1,
                "satisfactory_remedies": 1,
                "compliance_outcomes": 1,
                "complied": 1,
            }
        ),
    )
    assert "1 upheld decision " in text
    assert "1 satisfactory remedy decision " in text
    assert "based on a total of 1 detailed investigation for the period" in text
    assert "based on a total of 1 compliance outcome for the period" in text
    for wrong in (
        "1 upheld decisions",
        "1 satisfactory remedy decisions",
        "1 detailed investigations",
        "1 compliance outcomes",
    ):
        assert wrong not in text


def test_percentages_round_half_up_in_the_letter(project: Path) -> None:
    text = render_letter(
        project,
        2020,
        council(
            statistics={
                "investigations": 8,
                "upheld": 5,
                "satisfactory_remedies": 1,
                "compliance_outcomes": 8,
                "complied": 7,
            }
        ),
    )
    assert "63% of complaints we investigated were upheld." in text  # 62.5
    assert "In 88% of cases we were satisfied" in text  # 87.5
    assert "In 20% of upheld cases" in text  # 1 of 5


def test_no_investigations_is_said_plainly_never_zero_percent(project: Path) -> None:
    text = render_letter(
        project,
        2020,
        council(
            statistics={
                "investigations": 0,
                "upheld": 0,
                "satisfactory_remedies": 0,
                "compliance_outcomes": 0,
                "complied": 0,
            }
        ),
    )
    assert re.search(r"\b0%", text) is None
    assert "We did not complete any detailed investigations" in text
    assert "No recommendations were due for compliance in this period." in text
    assert "We upheld no complaints about your authority in this period" in text
    # The similar-authority averages are still shown.
    for average in (45, 99, 20):
        assert f"This compares to an average of {average}% in similar authorities." in text


def test_no_upheld_cases_leaves_upheld_rate_but_no_remedy_rate(project: Path) -> None:
    text = render_letter(
        project,
        2021,
        council(
            statistics={
                "investigations": 3,
                "upheld": 0,
                "satisfactory_remedies": 0,
            }
        ),
    )
    assert "0% of complaints we investigated were upheld." in text
    assert "In 0% of upheld cases" not in text
    assert "We upheld no complaints about your authority in this period" in text
    assert "This compares to an average of 16% in similar authorities." in text


def test_no_compliance_outcomes(project: Path) -> None:
    text = render_letter(
        project,
        2021,
        council(
            statistics={
                "compliance_outcomes": 0,
                "complied": 0,
            }
        ),
    )
    assert "No recommendations were due for compliance in this period." in text
    assert "of cases we were satisfied" not in text
    assert "There were no compliance outcomes for the period between" in text


def test_recipients_in_address_and_salutation(project: Path) -> None:
    text = render_letter(project, 2020, council(recipients=["Ms A", "Mr B", "Dr C"]))
    assert "Ms A, Mr B & Dr C Chief Executive Testshire District Council" in text
    assert "Dear Ms A, Mr B & Dr C" in text


def test_salutation_replaces_dear_recipients(project: Path) -> None:
    text = render_letter(
        project,
        2020,
        council(recipients=["Mrs Jolly", "Mr Proudfoot"], salutation="Dear Mrs Jolly"),
    )
    assert "Dear Mrs Jolly Annual Review letter 2020" in text
    assert "Dear Mrs Jolly & Mr Proudfoot" not in text


def test_dates_and_period_come_from_the_year(project: Path) -> None:
    text = render_letter(project, 2021, council())
    assert text.startswith("Local Government & Social Care OMBUDSMAN 21 July 2021 By email")
    assert "along with a copy of this letter on 28 July 2021." in text
    assert "for the year ending 31 March 2021." in text
    assert "for the period between 1 April 2020 to 31 March 2021" in text
    assert "Testshire District Council For the period ending: 31/03/21" in text


def test_headings_and_note_differ_by_year(project: Path) -> None:
    text_2020 = render_letter(project, 2020, council())
    text_2021 = render_letter(project, 2021, council())
    assert "Satisfactory remedies provided by the authority" in text_2020
    assert "Satisfactory remedy provided by the authority" not in text_2020
    assert "Satisfactory remedy provided by the authority" in text_2021
    assert "Satisfactory remedies provided by the authority" not in text_2021
    assert "NOTE: To allow authorities to respond to the Covid-19 pandemic" in text_2021
    assert "NOTE:" not in text_2020


def test_links_carry_real_addresses(project: Path) -> None:
    html = render_letter_html(project, 2020, council())
    assert re.search(
        r'<a href="https://www.lgo.org.uk/your-councils-performance" title="[^"]+">'
        r"Your council's performance</a>",
        html,
    )
    assert ">website</a>" in html
    assert re.search(
        r'<a href="https://www.lgo.org.uk/training" title="[^"]+">www.lgo.org.uk/training</a>',
        html,
    )


def test_html_is_self_contained_and_accessible(project: Path) -> None:
    html = render_letter_html(project, 2021, council())
    assert '<html lang="en-GB">' in html
    assert "<title>Annual Review letter 2021 – Testshire District Council</title>" in html
    assert "<h1>Annual Review letter 2021</h1>" in html
    assert 'alt="Signature of Michael King"' in html
    assert "<link" not in html and 'src="http' not in html and "url(http" not in html


def test_draft_letter_carries_a_banner_and_says_so_in_its_title(project: Path) -> None:
    html = render_letter_html(project, 2020, council(draft=True))
    assert 'class="draft-banner"' in html and "must not be sent" in html
    assert "<title>DRAFT – Annual Review letter 2020 – Testshire District Council</title>" in html
    final = render_letter_html(project, 2020, council())
    assert 'class="draft-banner"' not in final and "DRAFT" not in html_text(final)


def test_comments_are_printed_as_paragraphs(project: Path) -> None:
    text = render_letter(project, 2020, council(comments=["First remark.", "Second remark."]))
    assert "First remark. Second remark. Resources to help you get it right" in text


def test_record_text_is_escaped(project: Path) -> None:
    html = render_letter_html(project, 2021, council(role="<b>Chief</b> & {{ 7*7 }}"))
    assert "&lt;b&gt;Chief&lt;/b&gt; &amp; {{ 7*7 }}" in html
