"""Writes the XLSForm test workbooks of forms/tests/forms/.

Run: python3 make_forms.py [NAME.xlsx ...] (all forms when no name is given). Needs openpyxl
(PyPI). The .xlsx files are committed; rewrite only the forms you changed here, then refresh
the expected .json with census-forms import NAME.xlsx -o NAME.json and review the diff.
"""
import sys
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent

SURVEY_HEADER = [
    "type", "name", "label::English (en)", "label::French (fr)",
    "hint::English (en)", "hint::French (fr)", "required", "relevant", "constraint",
    "constraint_message::English (en)", "constraint_message::French (fr)",
    "calculation", "choice_filter", "default",
]


def row(type_, name, en="", fr="", hint_en="", hint_fr="", required="", relevant="",
        constraint="", msg_en="", msg_fr="", calculation="", choice_filter="", default=""):
    return [type_, name, en, fr, hint_en, hint_fr, required, relevant, constraint,
            msg_en, msg_fr, calculation, choice_filter, default]


def save(name, survey, choices=None, settings=None, survey_header=SURVEY_HEADER):
    if sys.argv[1:] and name not in sys.argv[1:]:
        return
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(survey_header)
    for r in survey:
        ws.append(r)
    if choices is not None:
        cs = wb.create_sheet("choices")
        for r in choices:
            cs.append(r)
    if settings is not None:
        ss = wb.create_sheet("settings")
        for r in settings:
            ss.append(r)
    wb.save(HERE / name)


HOUSEHOLD_SURVEY = [
    row("begin group", "intro", "Introduction", "Introduction"),
    row("text", "hh_name", "Name of the head", "Nom du chef", "Full name", "Nom complet", "yes"),
    row("integer", "hh_size", "How many persons live here?", "Combien de personnes vivent ici ?",
        required="yes", constraint=". > 0 and . <= 30",
        msg_en="Between 1 and 30", msg_fr="Entre 1 et 30"),
    row("select_one region", "region", "Region", "Région", required="yes"),
    row("select_one district", "district", "District", "District",
        choice_filter="region_code=${region}"),
    row("date", "visit_date", "Visit date", "Date de visite", constraint=". <= today()",
        msg_en="Not in the future", msg_fr="Pas dans le futur"),
    row("geopoint", "gps", "Location", "Position"),
    row("end group", ""),
    row("begin group", "dwelling", "Dwelling", "Logement", relevant="${hh_size} > 0"),
    row("select_multiple water or_other", "water", "Water sources", "Sources d'eau"),
    row("integer", "rooms", "Rooms", "Pièces", default="1"),
    row("begin group", "rooms_detail", "Rooms detail", "Détail des pièces",
        relevant="${rooms} > 1"),
    row("decimal", "area", "Area (m²)", "Surface (m²)", constraint=". > 0",
        msg_en="Must be positive", msg_fr="Doit être positive"),
    row("end group", ""),
    row("note", "many_sources", "Several water sources", "Plusieurs sources d'eau",
        relevant="count-selected(${water}) > 1"),
    row("end group", ""),
    row("begin repeat", "persons", "Persons", "Personnes", relevant="${hh_size} > 0"),
    row("text", "p_name", "Name", "Nom", required="yes"),
    row("integer", "p_age", "Age", "Âge", required="yes", constraint=". >= 0 and . < 120",
        msg_en="0 to 119", msg_fr="0 à 119"),
    row("select_one sex", "p_sex", "Sex", "Sexe", required="yes"),
    row("calculate", "p_num", calculation="position(..)"),
    row("calculate", "p_adult", calculation="if(${p_age} >= 18, 1, 0)"),
    row("select_one edu", "p_edu", "Education", "Études", relevant="${p_age} >= 6",
        choice_filter="min_age <= ${p_age}"),
    row("begin repeat", "jobs", "Jobs", "Emplois", relevant="${p_age} >= 15"),
    row("text", "job_title", "Job", "Emploi"),
    row("decimal", "job_income", "Income", "Revenu", constraint=". >= 0",
        msg_en="Not negative", msg_fr="Pas négatif"),
    row("end repeat", ""),
    row("calculate", "p_income", calculation="sum(${job_income})"),
    row("calculate", "p_jobs", calculation="count(${jobs})"),
    row("end repeat", ""),
    row("calculate", "n_persons", calculation="count(${persons})"),
    row("calculate", "n_adults", calculation="sum(${p_adult})"),
    row("calculate", "total_income", calculation="sum(${p_income})"),
    row("calculate", "first_name", calculation="indexed-repeat(${p_name}, ${persons}, 1)"),
    row("calculate", "name_len", calculation="string-length(${hh_name})"),
    row("calculate", "has_tap", calculation="selected(${water}, 'tap') and not(${rooms} = 0)"),
    row("calculate", "size_check",
        calculation="if(${n_persons} = ${hh_size}, 'ok', 'mismatch')"),
    row("calculate", "income_per_person",
        calculation="if(${n_persons} > 0, ${total_income} div ${n_persons}, 0)"),
    row("calculate", "size_parity", calculation="${hh_size} mod 2"),
    row("integer", "oldest", "Age of the oldest", "Âge du plus âgé",
        relevant="${n_persons} > 0 and ${hh_size} != ''"),
    row("text", "comment", "Comment", "Commentaire"),
]

HOUSEHOLD_CHOICES = [
    ["list_name", "name", "label::English (en)", "label::French (fr)", "region_code", "min_age"],
    ["region", "1", "North", "Nord"],
    ["region", "2", "South", "Sud"],
    ["district", "d11", "North city", "Ville du nord", "1"],
    ["district", "d12", "North hills", "Collines du nord", "1"],
    ["district", "d21", "South coast", "Côte sud", "2"],
    ["water", "tap", "Tap", "Robinet"],
    ["water", "well", "Well", "Puits"],
    ["water", "river", "River", "Rivière"],
    ["sex", "1", "Male", "Homme"],
    ["sex", "2", "Female", "Femme"],
    ["edu", "none", "None", "Aucune", "", "0"],
    ["edu", "primary", "Primary", "Primaire", "", "6"],
    ["edu", "secondary", "Secondary", "Secondaire", "", "12"],
    ["edu", "higher", "Higher", "Supérieur", "", "17"],
]

SETTINGS = [
    ["form_title", "form_id", "version", "default_language", "reference_date"],
    ["Household survey", "hh_survey", "2024.1", "English (en)", "2024-09-01"],
]

save("household.xlsx", HOUSEHOLD_SURVEY, HOUSEHOLD_CHOICES, SETTINGS)

# Text references, regex(), metadata and instance_name: the census format has them since
# issue 15's engine work.
save("textrefs.xlsx", [
    row("start", "started"),
    row("deviceid", "device"),
    row("text", "district_code", "District code", "Code du district",
        hint_en="Six digits {NNNNNN}", hint_fr="Six chiffres {NNNNNN}",
        constraint="regex(., '^[0-9]{6}$')", msg_en="Six digits", msg_fr="Six chiffres"),
    row("text", "head", "Name of the head", "Nom du chef"),
    row("integer", "size", "How many persons live with ${head}?",
        "Combien de personnes vivent avec ${head} ?",
        hint_en="You wrote district ${district_code}", hint_fr="Vous avez écrit ${district_code}"),
    row("calculate", "late", calculation="${started} > date('2024-09-30')"),
    row("note", "device_note", "Tablet ${device}", "Tablette ${device}"),
], [["list_name", "name", "label::English (en)", "label::French (fr)"]], [
    SETTINGS[0] + ["instance_name"],
    SETTINGS[1] + ["concat(${head}, ' / ', ${district_code})"],
])

SMALL_SETTINGS = [["form_id", "reference_date"], ["broken", "2024-09-01"]]
SMALL_HEADER = ["type", "name", "label", "relevant", "appearance"]

save("unknown_type.xlsx", [
    ["text", "a", "A"],
    ["integr", "b", "B"],
], None, SMALL_SETTINGS, SMALL_HEADER)

save("bad_expression.xlsx", [
    ["integer", "age", "Age"],
    ["text", "b", "B", "${age} > "],
    ["text", "c", "C", "pulldata('people', 'name', 'id', ${age}) = 'x'"],
    ["text", "d", "D", "/data/age > 3"],
    ["text", "e", "E", "${nobody} > 3"],
    ["text", "f", "F", "", "multiline"],
], None, SMALL_SETTINGS, SMALL_HEADER)

save("missing_list.xlsx", [
    ["select_one colours", "colour", "Colour"],
    ["select_one yes_no", "ok", "OK?"],
], [["list_name", "name", "label"], ["yes_no", "1", "Yes"], ["yes_no", "0", "No"]],
    SMALL_SETTINGS, SMALL_HEADER)

save("unclosed_repeat.xlsx", [
    ["begin repeat", "persons", "Persons"],
    ["text", "p_name", "Name"],
    ["begin group", "details", "Details"],
    ["integer", "p_age", "Age"],
    ["end repeat", ""],
    ["begin repeat", "visits", "Visits"],
    ["date", "v_date", "Date"],
], None, SMALL_SETTINGS, SMALL_HEADER)

# Imports, but the census loader rejects it: a code compared with a number.
save("type_error.xlsx", [
    ["select_one yes_no", "ok", "OK?"],
    ["text", "why", "Why?", "${ok} = 1"],
], [["list_name", "name", "label"], ["yes_no", "1", "Yes"], ["yes_no", "0", "No"]],
    SMALL_SETTINGS, SMALL_HEADER)
