"""The report's words in Danish and English.

Sentences with numbers are templates filled by :mod:`hjeval.report.render`
with numbers already formatted for the language (decimal comma and thousands
dot in Danish).
"""

from __future__ import annotations

from typing import Final

__all__ = ["BENEFIT_GROUP_NAMES", "POOL_NAMES", "TEXT"]

BENEFIT_GROUP_NAMES: Final[dict[str, dict[str, str]]] = {
    "da": {
        "activity_ready_cash": "aktivitetsparate kontanthjælpsmodtagere",
        "job_ready_cash": "jobparate kontanthjælpsmodtagere",
        "sickness": "sygedagpengemodtagere",
        "integration": "modtagere af integrationsydelse",
    },
    "en": {
        "activity_ready_cash": "activity-ready cash-benefit recipients",
        "job_ready_cash": "job-ready cash-benefit recipients",
        "sickness": "sickness-benefit recipients",
        "integration": "integration-benefit recipients",
    },
}

POOL_NAMES: Final[dict[str, dict[str, str]]] = {
    "da": {
        "all": "alle øvrige kommuner",
        "north_jutland": "de øvrige nordjyske kommuner",
        "rural": "landkommunerne (Danmarks Statistiks kommunegruppe)",
        "list": "{n} udvalgte kommuner",
    },
    "en": {
        "all": "all other municipalities",
        "north_jutland": "the other North Jutland municipalities",
        "rural": "the rural municipalities (Statistics Denmark's municipality group)",
        "list": "{n} selected municipalities",
    },
}

TEXT: Final[dict[str, dict[str, str]]] = {
    "da": {
        "lang": "da",
        "subtitle": "Evaluering af indsatsen i {municipality} Kommune for {group}",
        "built": "Udarbejdet {date} med hjeval {version}",
        "summary": "Resumé",
        "headline_unit": "timer mere arbejde om året pr. person",
        "headline_sub": "når der er taget højde for konjunkturerne",
        "summary_effect": (
            "Reformen fra {start} har øget arbejdstiden for {group} i {municipality} med {effect} timer om året "
            "pr. person, når der er taget højde for konjunkturerne og for udviklingen i {pool}. Det svarer til "
            "{weeks} ugers fuldtidsarbejde om året."
        ),
        "summary_uncertainty": (
            "Med {level} sikkerhed ligger effekten mellem {low} og {high} timer om året. Effekten er "
            "usikker, men klart større end nul."
        ),
        "summary_uncertainty_includes_zero": (
            "Med {level} sikkerhed ligger effekten mellem {low} og {high} timer om året. Intervallet rummer "
            "nul, så vi kan ikke udelukke, at reformen ingen effekt har haft."
        ),
        "summary_uncertainty_unbounded": (
            "Med så få sammenligningskommuner kan usikkerheden ikke afgrænses til et interval."
        ),
        "summary_placebo": (
            "Som kontrol har vi lavet samme beregning {n} gange, som om reformen var sket i hver af "
            "sammenligningskommunerne i stedet. Kun {k} af dem viser en lige så stor ændring som {municipality}."
        ),
        "summary_fte": (
            "For hele målgruppen på omkring {persons} personer svarer det til {fte} fuldtidspersoner i arbejde "
            "(1.924 timer om året)."
        ),
        "summary_raw": (
            "Før reformen ({before}) arbejdede målgruppen i gennemsnit {raw_before} timer om året, efter reformen "
            "({after}) {raw_after} timer. Af stigningen på {raw_change} timer skyldes {cycle} timer "
            "konjunkturerne og {other} timer den fælles udvikling og ændret sammensætning af målgruppen; "
            "{effect} timer er reformens effekt."
        ),
        "summary_pretrend": (
            "Før reformen udviklede {municipality} sig som sammenligningskommunerne (test for forskellig udvikling "
            "før reformen: p = {p})."
        ),
        "summary_pretrend_fails": (
            "Advarsel: før reformen udviklede {municipality} sig anderledes end sammenligningskommunerne "
            "(p = {p}). Resultatet skal læses med forsigtighed."
        ),
        "key_figures": "Nøgletal",
        "kf_effect": "Effekt pr. person (timer om året)",
        "kf_interval": "{level}-konfidensinterval",
        "kf_fte": "Fuldtidspersoner",
        "kf_pvalue": "p-værdi ({method})",
        "kf_unadjusted": "Uden konjunkturkorrektion (timer om året)",
        "development": "Udvikling i sagsstamme og beskæftigelse",
        "development_caseload": (
            "Antal sager pr. sagsbehandler i {municipality} og i {pool}. Reformen halverede sagsstammen."
        ),
        "event_x": "Perioder à {n} måneder i forhold til reformens start",
        "outcome_title": "Arbejdstimer i {municipality} og sammenligningskommunerne",
        "development_outcome": (
            "Gennemsnitligt antal arbejdstimer om året pr. person i målgruppen, {municipality} og {pool}. "
            "Det nederste panel trækker konjunkturernes bidrag (ændringer i ledigheden) fra."
        ),
        "raw_table": "Arbejdstimer om året pr. person før og efter reformen, uden korrektion",
        "col_before": "Før",
        "col_after": "Efter",
        "col_change": "Ændring",
        "row_treated": "{municipality}",
        "row_comparison": "Sammenligningskommuner",
        "row_difference": "Forskel (rå difference-in-differences)",
        "main": "Hovedresultat og konjunkturer",
        "main_intro": (
            "Effekten er estimeret som en difference-in-differences med faste effekter for hver person og hver "
            "måned: ændringen i {municipality} sammenholdes med ændringen i {pool}, og konjunkturerne indgår "
            "som {cycle_text}."
        ),
        "cycle_covariate": "den lokale ledighed i hver kommune",
        "cycle_sensitivity": "kommunens egen følsomhed over for landets ledighed, estimeret før reformen",
        "cycle_common": "den fælles udvikling i sammenligningskommunerne",
        "main_table": "Reformens effekt",
        "col_estimate": "Effekt (timer om året)",
        "col_interval": "{level}-interval",
        "col_p": "p-værdi",
        "col_method": "Usikkerhed beregnet ved",
        "col_obs": "Personmåneder",
        "decomposition_caption": (
            "Hvor ændringen i {municipality} kommer fra: den rå ændring fra før til efter reformen fordelt på "
            "konjunkturer, fælles udvikling, sammensætning og reformens effekt (timer om året pr. person)."
        ),
        "part_raw_change": "Rå ændring",
        "part_cycle": "Konjunkturer",
        "part_common_trend": "Fælles udvikling",
        "part_composition": "Sammensætning af målgruppen",
        "part_effect": "Reformens effekt",
        "part_residual": "Rest",
        "col_part": "Del",
        "col_hours": "Timer om året",
        "robustness": "Holder resultatet?",
        "event_caption": (
            "Effekten for hver periode à {n} måneder i forhold til perioden lige før reformen "
            "({level}-konfidensbånd). Før "
            "reformen ligger forskellen omkring nul; test for ens udvikling før reformen: p = {p}."
        ),
        "placebo_caption": (
            "Samme beregning med reformen flyttet til hver sammenligningskommune ({n} placebo-beregninger). "
            "{municipality}s estimat er markeret."
        ),
        "alternatives": "Andre valg giver et lignende resultat",
        "alt_col_variant": "Variant",
        "alt_main": "Hovedresultat ({pool})",
        "alt_pool": "Sammenligning med {pool}",
        "alt_unadjusted": "Uden konjunkturkorrektion",
        "alt_conley_taber": "Conley–Taber-interval",
        "unbounded": "ikke afgrænset",
        "alt_note": (
            "Med få sammenligningskommuner kan placebo-testen ikke give et afgrænset interval: den mindste "
            "mulige p-værdi er 1/(antal kommuner)."
        ),
        "appendix_method": "Bilag A. Metode og data",
        "method_text": (
            "Data er månedlige arbejdstimer pr. person i målgruppen fra {first} til {last}. Effekten er "
            "koefficienten på reformindikatoren i en regression med faste effekter for person og måned"
            "{cycle_clause}. Med kun én behandlet kommune er klyngerobuste standardfejl ikke gyldige; "
            "usikkerheden beregnes derfor ved placebo-tildeling: reformen tildeles i stedet hver af "
            "sammenligningskommunerne, og {municipality}s estimat sammenlignes med fordelingen af "
            "placebo-estimater. Intervallet fås ved at invertere testen."
        ),
        "cycle_clause_covariate": " og den lokale ledighed som forklarende variabel",
        "cycle_clause_sensitivity": (
            " efter fradrag af hver kommunes følsomhed over for landets ledighed, estimeret på perioden før reformen"
        ),
        "cycle_clause_common": "",
        "data_table": "Data",
        "col_file": "Fil",
        "col_rows": "Rækker",
        "col_sha": "SHA-256",
        "rows_used": "Personmåneder i estimationen: {used} af {target} i målgruppen ({excluded}).",
        "rows_excluded_none": "ingen udeladt",
        "rows_excluded": "{n} udeladt: {reasons}",
        "disclosure": "Diskretionering",
        "disclosure_text": (
            "Intet tal i rapporten, i figurerne eller i tabelfilerne bygger på færre end {k} personer. Celler "
            "under grænsen er udeladt (vist som ·), og yderligere celler er udeladt, så de ikke kan regnes "
            "tilbage fra totaler eller differenser: {primary} primært og {secondary} sekundært udeladte celler."
        ),
        "notes": "Bemærkninger fra beregningen",
        "appendix_repro": "Bilag B. Reproducerbarhed",
        "repro_text": (
            "Rapporten kan genskabes med samme data og konfiguration: hjeval {version}, frø (seed) {seed}, "
            "{draws}. Byggedato {date}."
        ),
        "draws_exact": "alle {n} placebo-tildelinger (eksakt)",
        "config": "Konfiguration",
        "months": "{n} måneder",
        "inference_placebo": "placebo-tildeling ({n} kommuner)",
        "inference_conley_taber": "Conley–Taber ({n} kommuner)",
        "inference_cluster": "klyngerobuste standardfejl",
        "inference_wild_bootstrap": "wild cluster bootstrap",
        "month_names": "januar februar marts april maj juni juli august september oktober november december",
        "notes_intro": "Tekniske meddelelser fra estimationen (på engelsk):",
        "page": "Side",
    },
    "en": {
        "lang": "en",
        "subtitle": "Evaluation of the reform in {municipality} Municipality for {group}",
        "built": "Built {date} with hjeval {version}",
        "summary": "Summary",
        "headline_unit": "more hours of work a year per person",
        "headline_sub": "net of the business cycle",
        "summary_effect": (
            "The reform from {start} raised hours worked by {group} in {municipality} by {effect} hours a year "
            "per person, net of the business cycle and of the development in {pool}. That is {weeks} weeks of "
            "full-time work a year."
        ),
        "summary_uncertainty": (
            "With {level} confidence the effect lies between {low} and {high} hours a year. The effect is "
            "uncertain, but clearly above zero."
        ),
        "summary_uncertainty_includes_zero": (
            "With {level} confidence the effect lies between {low} and {high} hours a year. The interval "
            "includes zero: we cannot rule out that the reform had no effect."
        ),
        "summary_uncertainty_unbounded": (
            "With so few comparison municipalities the uncertainty cannot be bounded by an interval."
        ),
        "summary_placebo": (
            "As a check, the same calculation was made {n} times as if the reform had happened in each "
            "comparison municipality instead. A change as large as {municipality}'s appears in only {k} of them."
        ),
        "summary_fte": (
            "For the whole target group of about {persons} persons this is {fte} full-time persons in work "
            "(1,924 hours a year)."
        ),
        "summary_raw": (
            "Before the reform ({before}) the target group worked {raw_before} hours a year on average, after it "
            "({after}) {raw_after} hours. Of the rise of {raw_change} hours, {cycle} hours are due to the "
            "business cycle and {other} hours to the common trend and a changed composition of the target "
            "group; {effect} hours are the reform's effect."
        ),
        "summary_pretrend": (
            "Before the reform, {municipality} developed like the comparison municipalities (test of different "
            "trends before the reform: p = {p})."
        ),
        "summary_pretrend_fails": (
            "Warning: before the reform, {municipality} developed differently from the comparison "
            "municipalities (p = {p}). Read the result with caution."
        ),
        "key_figures": "Key figures",
        "kf_effect": "Effect per person (hours a year)",
        "kf_interval": "{level} confidence interval",
        "kf_fte": "Full-time persons",
        "kf_pvalue": "p-value ({method})",
        "kf_unadjusted": "Without the cycle adjustment (hours a year)",
        "development": "Caseloads and employment over time",
        "development_caseload": (
            "Cases per caseworker in {municipality} and in {pool}. The reform halved the caseload."
        ),
        "event_x": "Periods of {n} months relative to the start of the reform",
        "outcome_title": "Hours worked in {municipality} and the comparison municipalities",
        "development_outcome": (
            "Average hours worked a year per person in the target group, {municipality} and {pool}. The lower "
            "panel takes out the business cycle's contribution (changes in unemployment)."
        ),
        "raw_table": "Hours worked a year per person before and after the reform, unadjusted",
        "col_before": "Before",
        "col_after": "After",
        "col_change": "Change",
        "row_treated": "{municipality}",
        "row_comparison": "Comparison municipalities",
        "row_difference": "Difference (raw difference-in-differences)",
        "main": "Main result and the business cycle",
        "main_intro": (
            "The effect is estimated by difference-in-differences with fixed effects for each person and each "
            "month: the change in {municipality} is set against the change in {pool}, and the business cycle "
            "enters as {cycle_text}."
        ),
        "cycle_covariate": "each municipality's local unemployment rate",
        "cycle_sensitivity": "the municipality's own sensitivity to national unemployment, estimated before the reform",
        "cycle_common": "the common development of the comparison municipalities",
        "main_table": "The reform's effect",
        "col_estimate": "Effect (hours a year)",
        "col_interval": "{level} interval",
        "col_p": "p-value",
        "col_method": "Uncertainty from",
        "col_obs": "Person-months",
        "decomposition_caption": (
            "Where the change in {municipality} comes from: the raw change from before to after the reform split "
            "into the business cycle, the common trend, composition and the reform's effect (hours a year per "
            "person)."
        ),
        "part_raw_change": "Raw change",
        "part_cycle": "Business cycle",
        "part_common_trend": "Common trend",
        "part_composition": "Composition of the target group",
        "part_effect": "Effect of the reform",
        "part_residual": "Remainder",
        "col_part": "Part",
        "col_hours": "Hours a year",
        "robustness": "Does the result hold?",
        "event_caption": (
            "The effect for each period of {n} months relative to the period just before the reform "
            "({level} confidence "
            "band). Before the reform the difference stays around zero; test of equal trends before the reform: "
            "p = {p}."
        ),
        "placebo_caption": (
            "The same calculation with the reform moved to each comparison municipality ({n} placebo estimates). "
            "{municipality}'s estimate is marked."
        ),
        "alternatives": "Other choices give a similar result",
        "alt_col_variant": "Variant",
        "alt_main": "Main result ({pool})",
        "alt_pool": "Compared with {pool}",
        "alt_unadjusted": "Without the cycle adjustment",
        "alt_conley_taber": "Conley–Taber interval",
        "unbounded": "not bounded",
        "alt_note": (
            "With few comparison municipalities the placebo test cannot give a bounded interval; its p-value "
            "cannot fall below 1/(number of municipalities)."
        ),
        "appendix_method": "Appendix A. Method and data",
        "method_text": (
            "The data are monthly hours worked per person in the target group from {first} to {last}. The effect "
            "is the coefficient on the reform indicator in a regression with person and month fixed effects"
            "{cycle_clause}. With only one treated municipality, cluster-robust standard errors are not valid; "
            "the uncertainty therefore comes from placebo assignment: the reform is given to each comparison "
            "municipality instead, and {municipality}'s estimate is compared with the distribution of placebo "
            "estimates. The interval inverts that test."
        ),
        "cycle_clause_covariate": " and the local unemployment rate as a regressor",
        "cycle_clause_sensitivity": (
            " after removing each municipality's sensitivity to national unemployment, estimated on the "
            "pre-reform period"
        ),
        "cycle_clause_common": "",
        "data_table": "Data",
        "col_file": "File",
        "col_rows": "Rows",
        "col_sha": "SHA-256",
        "rows_used": "Person-months in the estimation: {used} of {target} in the target group ({excluded}).",
        "rows_excluded_none": "none left out",
        "rows_excluded": "{n} left out: {reasons}",
        "disclosure": "Disclosure control",
        "disclosure_text": (
            "No number in the report, its figures or its table files rests on fewer than {k} persons. Cells "
            "below the threshold are left out (shown as ·), and further cells are left out so that none can be "
            "recovered from totals or differences: {primary} primary and {secondary} secondary suppressions."
        ),
        "notes": "Notes from the estimation",
        "appendix_repro": "Appendix B. Reproducibility",
        "repro_text": (
            "The report can be rebuilt from the same data and configuration: hjeval {version}, seed {seed}, "
            "{draws}. Build date {date}."
        ),
        "draws_exact": "all {n} placebo assignments (exact)",
        "config": "Configuration",
        "months": "{n} months",
        "inference_placebo": "placebo assignment ({n} municipalities)",
        "inference_conley_taber": "Conley–Taber ({n} municipalities)",
        "inference_cluster": "cluster-robust standard errors",
        "inference_wild_bootstrap": "wild cluster bootstrap",
        "month_names": "January February March April May June July August September October November December",
        "notes_intro": "Technical messages from the estimation:",
        "page": "Page",
    },
}
