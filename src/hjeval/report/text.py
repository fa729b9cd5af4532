"""The report's words in Danish and English.

Sentences with numbers are templates filled by :mod:`hjeval.report.render`
with numbers already formatted for the language (decimal comma and thousands
dot in Danish).
"""

from __future__ import annotations

from typing import Final

__all__ = ["BENEFIT_GROUP_NAMES", "POOL_NAMES", "REGION_NAMES", "TEXT"]

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
    # "_other": the treated municipality belongs to the pool's area and is left out of it
    "da": {
        "all": "alle øvrige kommuner",
        "north_jutland": "de nordjyske kommuner",
        "north_jutland_other": "de øvrige nordjyske kommuner",
        "rural": "de nordjyske landkommuner (Danmarks Statistiks kommunegruppe)",
        "rural_other": "de øvrige nordjyske landkommuner (Danmarks Statistiks kommunegruppe)",
        "list": "{n} udvalgte kommuner",
        "list_one": "1 udvalgt kommune",
    },
    "en": {
        "all": "all other municipalities",
        "north_jutland": "the North Jutland municipalities",
        "north_jutland_other": "the other North Jutland municipalities",
        "rural": "the rural municipalities of North Jutland (Statistics Denmark's municipality group)",
        "rural_other": "the other rural municipalities of North Jutland (Statistics Denmark's municipality group)",
        "list": "{n} selected municipalities",
        "list_one": "1 selected municipality",
    },
}

REGION_NAMES: Final[dict[str, dict[int, str]]] = {
    "da": {
        81: "Region Nordjylland",
        82: "Region Midtjylland",
        83: "Region Syddanmark",
        84: "Region Hovedstaden",
        85: "Region Sjælland",
    },
    "en": {
        81: "North Denmark Region",
        82: "Central Denmark Region",
        83: "Region of Southern Denmark",
        84: "Capital Region of Denmark",
        85: "Region Zealand",
    },
}

TEXT: Final[dict[str, dict[str, str]]] = {
    "da": {
        "lang": "da",
        "title": "Evaluering af indsatsen for {group} i {municipality} Kommune",
        "subtitle": "Indsatsen for {group} i {municipality} Kommune ({region}) fra {start}",
        "built": "Udarbejdet {date} med hjeval {version}",
        "summary": "Resumé",
        "headline_unit": "timer mere arbejde om året pr. person",
        "headline_unit_lower": "timer mindre arbejde om året pr. person",
        "headline_sub": "når der er taget højde for konjunkturerne",
        "summary_effect": (
            "Reformen fra {start} har øget arbejdstiden for {group} i {municipality} med {effect} timer om året "
            "pr. person, når der er taget højde for konjunkturerne og for udviklingen i {pool}. Det svarer til "
            "{weeks} ugers fuldtidsarbejde om året."
        ),
        "summary_effect_lower": (
            "Reformen fra {start} har mindsket arbejdstiden for {group} i {municipality} med {effect} timer om "
            "året pr. person, når der er taget højde for konjunkturerne og for udviklingen i {pool}. Det svarer "
            "til {weeks} ugers fuldtidsarbejde om året."
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
            "sammenligningskommunerne i stedet."
        ),
        "summary_placebo_random": (
            "Som kontrol har vi lavet samme beregning {n} gange, som om reformen var sket i tilfældigt valgte "
            "sammenligningskommuner i stedet."
        ),
        "summary_placebo_none": "Ingen af dem viser en lige så stor ændring som {municipality}.",
        "summary_placebo_few": "Kun {k} af dem viser en lige så stor ændring som {municipality}.",
        "summary_placebo_many": "{k} af dem viser en lige så stor ændring som {municipality}.",
        "summary_placebo_corrected": (
            "Sammenligningskommunernes estimater er først omregnet til {municipality}s størrelse, så de er "
            "lige så usikre som {municipality}s eget."
        ),
        "summary_placebo_switched_off": (
            "Sammenligningskommunernes estimater er ikke omregnet til {municipality}s størrelse: "
            "størrelseskorrektionen er slået fra i konfigurationen."
        ),
        "summary_fte": (
            "For hele målgruppen på omkring {persons} personer svarer det til {fte} fuldtidspersoner i arbejde "
            "(1.924 timer om året)."
        ),
        "summary_raw": (
            "Før reformen ({before}) arbejdede målgruppen i gennemsnit {raw_before} timer om året, efter reformen "
            "({after}) {raw_after} timer. {of_change} på {raw_change} timer skyldes {cycle} timer "
            "konjunkturerne og {other} timer den fælles udvikling og ændret sammensætning af målgruppen; "
            "{effect} timer er reformens effekt."
        ),
        "raw_rise": "Af stigningen",
        "raw_fall": "Af faldet",
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
        "kf_fte": "Ekstra timer som fuldtidspersoner i arbejde",
        "kf_pvalue": "p-værdi ({method})",
        "kf_unadjusted": "Uden konjunkturkorrektion (timer om året)",
        "summary_paid_off": (
            "Med {prob} sandsynlighed har investeringen på {invested} mio. kr. betalt sig hjem ved udgangen af "
            "{last}; det bedste skøn er, at der er sparet {saved} mio. kr. på ydelser."
        ),
        "summary_saved_no_draws": (
            "Det bedste skøn er, at der ved udgangen af {last} er sparet {saved} mio. kr. på ydelser mod "
            "{invested} mio. kr. investeret; usikkerheden kan ikke beregnes uden placebo-beregninger."
        ),
        "summary_payback": "Regnet uden diskontering tjente investeringen sig ind i {year}.",
        "summary_not_yet": "Ved udgangen af {last} havde investeringen endnu ikke tjent sig ind.",
        "summary_persons": (
            "I {year} var der {persons} færre fuldtidspersoner blandt {group} på offentlig forsørgelse, end der "
            "ville have været uden reformen{interval}."
        ),
        "summary_persons_more": (
            "I {year} var der {persons} flere fuldtidspersoner blandt {group} på offentlig forsørgelse, end der "
            "ville have været uden reformen{interval}."
        ),
        "summary_persons_interval": " ({level}-interval: {low} til {high})",
        "summary_weeks": (
            "Forløb på ydelsen, der begyndte efter reformen, varede i {municipality} i gennemsnit {after} uger "
            "mod {before} uger før (regnet op til {horizon} uger)."
        ),
        "summary_weeks_effect": (
            "Sammenholdt med {pool} er forløbene blevet {effect} uger kortere ({level}-interval for ændringen: "
            "{interval} uger)."
        ),
        "summary_weeks_effect_longer": (
            "Sammenholdt med {pool} er forløbene blevet {effect} uger længere ({level}-interval for ændringen: "
            "{interval} uger)."
        ),
        "between": "{low} til {high}",
        "payoff_unavailable": (
            "Antallet på ydelse kan ikke sammenholdes med sammenligningskommunerne med disse data, så besparelsen "
            "opgøres ikke (se de tekniske meddelelser i bilag A)."
        ),
        "support_unavailable": (
            "Forløbenes varighed kan ikke opgøres med disse data: der skal være forløb, der begynder før og efter "
            "reformen, både i kommunen og i sammenligningskommunerne (se de tekniske meddelelser i bilag A)."
        ),
        "kf_persons": "Færre fuldtidspersoner på forsørgelse ({year})",
        "kf_net": "Nettogevinst {first}–{last} (mio. kr.)",
        "kf_prob": "Sandsynlighed for at have betalt sig hjem",
        "kf_weeks": "Ændring i uger på ydelse pr. forløb",
        "payoff": "Har investeringen betalt sig?",
        "payoff_intro": (
            "Besparelsen er de ydelser, der ikke er udbetalt, fordi færre var på offentlig forsørgelse. Antallet "
            "af {group} på ydelse i {municipality} (i gennemsnit {stock} personer før reformen) sammenholdes år "
            "for år med {pool}, hver kommune i forhold til sit eget niveau før reformen{cycle}. Hver "
            "fuldtidsperson færre regnes til årets ydelse pr. fuldtidsperson. Usikkerheden er beregnet ved "
            "{method}, som for hovedresultatet."
        ),
        "payoff_cycle": " og med den lokale ledighed som forklarende variabel",
        "payoff_pretrend": (
            "Før reformen udviklede antallet på ydelse sig som i sammenligningskommunerne (p = {p})."
        ),
        "payoff_pretrend_fails": (
            "Advarsel: før reformen udviklede antallet på ydelse sig anderledes end i sammenligningskommunerne "
            "(p = {p}); besparelsen skal læses med forsigtighed."
        ),
        "payoff_probability": (
            "Sandsynligheden er andelen af placebo-beregningerne, hvor besparelsen ved udgangen af {last} dækker "
            "investeringen: {k} af {n} ({prob})."
        ),
        "payoff_undiscounted": "Nettogevinsten er {net} mio. kr. uden diskontering.",
        "payoff_discounted": (
            "Nutidsværdien af nettogevinsten i {year} med en diskonteringsrente på {rate} om året er {net} mio. kr."
        ),
        "payoff_roi": "For hver investeret krone er der sparet {roi} kr.",
        "payoff_scope": (
            "Besparelsen omfatter kun ydelserne til {group}; virkninger på andre ydelser, på skatteindtægter og "
            "på borgernes helbred og velfærd er ikke regnet med."
        ),
        "payoff_no_costs": (
            "Der er ikke angivet et omkostningspanel (costs), så investeringen og besparelsen sammenholdes ikke."
        ),
        "payoff_costs_failed": (
            "Omkostningspanelet dækker ikke alle år med en effekt, så investeringen og besparelsen sammenholdes "
            "ikke (se de tekniske meddelelser i bilag A)."
        ),
        "payoff_caption": (
            "Investeret og sparet på ydelser i {municipality}, akkumuleret (mio. kr.)."
        ),
        "payoff_caption_band": "Båndet er {level}-båndet for besparelsen fra {n} placebo-beregninger.",
        "persons_table": "Fuldtidspersoner på offentlig forsørgelse pr. år",
        "cost_table": "Investering og besparelse pr. år (mio. kr.)",
        "col_year": "År",
        "col_persons_off": "Færre på forsørgelse",
        "col_on_support": "På forsørgelse",
        "col_without_reform": "Uden reformen",
        "col_saved": "Sparet",
        "col_invested": "Investeret",
        "col_net": "Netto",
        "col_cumulative": "Akkumuleret netto",
        "col_band": "{level}-bånd",
        "support": "Tid på offentlig forsørgelse",
        "support_intro": (
            "Et forløb er en sammenhængende række måneder på ydelsen. Forløb, der begyndte før reformen, "
            "sammenholdes med forløb, der begyndte fra {start}, i {municipality} og {pool}. Gennemsnittet regnes "
            "op til {horizon} uger, fordi de seneste forløb endnu ikke er afsluttet; medianen er den varighed, "
            "hvor halvdelen har forladt ydelsen."
        ),
        "support_effect": (
            "Reformens effekt på varigheden (difference-in-differences af gennemsnittene): {effect} uger "
            "({level}-interval: {interval}; p = {p}; {method})."
        ),
        "support_hazard": (
            "Chancen for at forlade ydelsen i en given måned er ganget med {hr} (hazard ratio, interval "
            "{interval})."
        ),
        "support_table": "Uger på ydelsen pr. forløb (gennemsnit regnet op til {horizon} uger)",
        "survival_caption": (
            "Andel stadig på ydelsen efter forløbets start, {municipality} og sammenligningskommunerne, for forløb "
            "startet før og efter reformen. Kurverne vises kun, så længe mindst {k} personer er i forløb; den "
            "lodrette linje er horisonten på {horizon} uger."
        ),
        "col_municipality": "Kommune",
        "col_spells_started": "Forløb startet",
        "col_spells": "Forløb",
        "col_median_weeks": "Median",
        "col_mean_weeks": "Gennemsnit",
        "col_censored": "I gang (%)",
        "window_before": "før reformen",
        "window_after": "efter reformen",
        "development": "Udvikling i sagsstamme og beskæftigelse",
        "development_caseload": "Antal sager pr. sagsbehandler i {municipality} og i {pool}.",
        "caseload_mark": "reformen starter",
        "caseload_fell": (
            "I {municipality} faldt antallet af sager pr. sagsbehandler fra {before} i {before_span} til {after} "
            "i {after_span} ({change})."
        ),
        "caseload_rose": (
            "I {municipality} steg antallet af sager pr. sagsbehandler fra {before} i {before_span} til {after} "
            "i {after_span} ({change})."
        ),
        "caseload_same": (
            "I {municipality} var antallet af sager pr. sagsbehandler omtrent uændret (inden for ±5 %): {before} "
            "i {before_span} og {after} i {after_span} ({change})."
        ),
        "caseload_unknown": (
            "Sagsstammen i {municipality} før og efter reformen kan ikke sammenlignes: der er ikke tal for begge "
            "perioder, der kan offentliggøres."
        ),
        "caseload_absent": (
            "Der er ikke angivet data om sagsstammen, så udviklingen i antal sager pr. sagsbehandler vises ikke."
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
        # what drove the effect and for whom (hjeval.report.drivers_section)
        "drivers": "Hvad drev effekten, og for hvem?",
        "phases_heading": "Modellens faser",
        "phase_name_caseload": "lavere sagsstamme",
        "phase_name_team": "lavere sagsstamme og tværfagligt team",
        "phases_intro": (
            "Modellens dele startede på forskellige tidspunkter: {phases}. Effekten er estimeret for hver fase for "
            "sig med samme model og usikkerhedsberegning som hovedresultatet, hver gang i forhold til perioden før "
            "reformen."
        ),
        "phases_from": "{phase} fra {month}",
        "phases_first_above": (
            "Allerede i den første fase ({phase}, {period}) var effekten {effect} timer om året ({level}-interval: "
            "{interval}; p = {p}): den var der, før de senere dele af modellen startede."
        ),
        "phases_first_below": (
            "I den første fase ({phase}, {period}) var effekten {effect} timer om året ({level}-interval: "
            "{interval}; p = {p}): arbejdstiden var lavere end uden reformen."
        ),
        "phases_first_zero": (
            "I den første fase ({phase}, {period}) kan effekten ikke skelnes fra nul: {effect} timer om året "
            "({level}-interval: {interval}; p = {p})."
        ),
        "phases_difference_larger": (
            "I den sidste fase ({phase}) var effekten {diff} timer om året større end i den første "
            "({level}-interval for forskellen: {interval}; p = {p})."
        ),
        "phases_difference_smaller": (
            "I den sidste fase ({phase}) var effekten {diff} timer om året mindre end i den første "
            "({level}-interval for forskellen: {interval}; p = {p})."
        ),
        "phases_difference_none": (
            "Effekten i den sidste fase ({phase}) adskiller sig ikke klart fra den første: forskellen er {diff} "
            "timer om året ({level}-interval: {interval}; p = {p})."
        ),
        "phases_withheld": (
            "En eller flere faser har færre end {k} personer i {municipality} og vises ikke; faserne sammenlignes "
            "derfor ikke."
        ),
        "phases_absent": (
            "Der er ikke angivet faser i konfigurationen (tabellen [phases] med hver fases navn og første måned), "
            "så effekten opdeles ikke på faser."
        ),
        "phases_failed": (
            "Effekten kan ikke opdeles på de angivne faser med disse data (se de tekniske meddelelser i bilag A)."
        ),
        "phases_table": "Effekt pr. fase (timer om året pr. person)",
        "col_phase": "Fase",
        "col_period": "Periode",
        "phases_difference_row": "Forskel (sidste − første fase)",
        "subgroups_heading": "Hvem fik gavn af reformen?",
        "subgroups_intro": (
            "Effekten er estimeret for hver gruppe for sig efter {columns} med samme model som hovedresultatet. "
            "p-værdierne er justeret med Holms metode for, at der testes flere grupper inden for hvert kendetegn. "
            "Grupper med færre end {k} personer i {municipality} estimeres ikke og vises ikke."
        ),
        "subgroups_missing": "Data har ikke kolonnen {columns}, så der opdeles ikke efter {what}.",
        "subgroups_missing_many": "Data har ikke kolonnerne {columns}, så der opdeles ikke efter {what}.",
        "subgroups_none": (
            "Data har ingen af kolonnerne sex, origin og interventions, så effekten kan ikke opdeles på grupper."
        ),
        "subgroups_failed": "Opdelingen efter {what} kan ikke beregnes med disse data (se de tekniske meddelelser i "
                            "bilag A).",
        "what_sex": "køn",
        "what_origin": "oprindelse",
        "what_interventions": "antal indsatser",
        "subgroups_equal": (
            "Efter {what} kan effekterne ikke skelnes fra hinanden (test for ens effekt: p = {p})."
        ),
        "subgroups_differ": (
            "Efter {what} er effekterne forskellige (test for ens effekt: p = {p}): fra {low} timer om året "
            "({low_name}) til {high} timer ({high_name})."
        ),
        "subgroups_one_level": "Efter {what} kan kun én gruppe vises, så grupperne sammenlignes ikke.",
        "subgroups_few": (
            "Borgere med få indsatser (højst {n} indtil da) fik en effekt på {few} timer om året ({level}-interval: "
            "{few_interval}), borgere med flere {many} timer ({many_interval})."
        ),
        "subgroups_few_same": (
            "Effekten for dem med få indsatser kan ikke skelnes fra effekten for de øvrige (p = {p})."
        ),
        "subgroups_few_smaller": "Effekten for dem med få indsatser er mindre end for de øvrige (p = {p}).",
        "subgroups_few_larger": "Effekten for dem med få indsatser er større end for de øvrige (p = {p}).",
        "subgroups_few_withheld": (
            "Gruppen med få indsatser har færre end {k} personer i {municipality} og vises ikke."
        ),
        "subgroups_women": (
            "Kvinder på integrationsydelse er estimeret for sig på data for modtagere af integrationsydelse: "
            "{effect} timer om året ({level}-interval: {interval}; p = {p}); {verdict}"
        ),
        "subgroups_women_above": "effekten er klart større end nul.",
        "subgroups_women_below": "effekten er klart mindre end nul.",
        "subgroups_women_zero": "intervallet rummer nul, så en effekt kan ikke påvises for dem.",
        "subgroups_women_no_sex": "Kvinder på integrationsydelse kan ikke estimeres: data har ikke kolonnen sex.",
        "subgroups_women_no_group": (
            "Kvinder på integrationsydelse kan ikke estimeres: data har ingen rækker med integrationsydelse "
            "(benefit_group = \"integration\") i {municipality}."
        ),
        "subgroups_women_withheld": (
            "Kvinder på integrationsydelse er færre end {k} personer i {municipality} og vises ikke."
        ),
        "subgroups_women_failed": (
            "Kvinder på integrationsydelse kan ikke estimeres med disse data (se de tekniske meddelelser i bilag A)."
        ),
        "subgroups_table": "Effekt pr. gruppe (timer om året pr. person)",
        "col_group": "Gruppe",
        "col_persons_in": "Personer i {municipality}",
        "col_p_holm": "p (Holm)",
        "level_sex_F": "Kvinder",
        "level_sex_M": "Mænd",
        "level_origin_danish": "Dansk oprindelse",
        "level_origin_western": "Vestlig oprindelse",
        "level_origin_non_western": "Ikke-vestlig oprindelse",
        "level_interventions_few": "Få indsatser (0–{n})",
        "level_interventions_many": "Flere indsatser ({m}+)",
        "level_women_integration_F": "Kvinder på integrationsydelse",
        "subgroups_figure_title": "Effekt pr. gruppe",
        "subgroups_all": "Hele målgruppen",
        "subgroups_caption": (
            "Effekt pr. gruppe med {level}-konfidensinterval (timer om året pr. person); romben og den stiplede linje "
            "er hele målgruppen. Gruppen med få indsatser og kvinder på integrationsydelse (estimeret på data for "
            "modtagere af integrationsydelse) er fremhævet. Grupper med færre end {k} personer i {municipality} "
            "vises ikke."
        ),
        "copying_heading": "Kan en kommune, der kopierer modellen, se effekten?",
        "copying_intro": (
            "For hver af de øvrige kommuner i {region} er det beregnet, hvor stor en effekt dens egen evaluering "
            "kunne påvise. Beregningen bruger kun kommunens data før {start}: en evaluering med {pre} måneder før og "
            "{post} måneder efter en tænkt start, samme model og placebo-test som her og de samme "
            "sammenligningskommuner (med {municipality}). Den mindste påviselige effekt er den effekt, testen på "
            "{alpha}-niveau finder med {power} sandsynlighed; styrken ved {municipality}s effekt ({effect} timer om "
            "året) er sandsynligheden for at finde en lige så stor effekt."
        ),
        "copying_range": (
            "Den mindste påviselige effekt ligger mellem {low} timer om året ({low_name}) og {high} timer "
            "({high_name}). Med en effekt som {municipality}s ville {n_high} af {n} kommuner finde den med mindst "
            "{power} sandsynlighed."
        ),
        "copying_one": (
            "Den mindste påviselige effekt for {name} er {mde} timer om året; styrken ved en effekt som "
            "{municipality}s er {prob}."
        ),
        "copying_never": (
            "{names}: med så få sammenligningskommuner kan placebo-testen aldrig afvise, så ingen effekt kan påvises."
        ),
        "copying_withheld": "{n} kommune(r) med færre end {k} personer i målgruppen før {start} vises ikke.",
        "copying_failed": "{names} kan ikke beregnes med disse data (se de tekniske meddelelser i bilag A).",
        "copying_none": "Ingen andre kommuner i {region} har data, så tabellen udelades.",
        "copying_scope": (
            "Beregningen antager, at kommunen får samme effekt som {municipality}; en evaluering med flere måneder "
            "før starten har normalt en mindre mindste påviselig effekt."
        ),
        "copying_table": "Mindste påviselige effekt og styrke for kommuner, der kopierer modellen",
        "col_persons_before": "Personer før {start}",
        "col_mde": "Mindste påviselige effekt (timer om året)",
        "col_power_at": "Styrke ved {municipality}s effekt",
        "never": "kan ikke påvises",
        "this_region": "regionen",
        "robustness": "Holder resultatet?",
        "event_caption": (
            "Effekten for hver periode à {n} måneder i forhold til perioden lige før reformen "
            "({level}-konfidensbånd)."
        ),
        "event_pretrend": " Før reformen ligger forskellen omkring nul; test for ens udvikling før reformen: p = {p}.",
        "event_pretrend_fails": (
            " Før reformen afviger forskellen fra nul: testen for ens udvikling før reformen afviser den "
            "(p = {p}), så en del af forskellen efter reformen kan være en udvikling, der var i gang i forvejen."
        ),
        "placebo_caption": (
            "Samme beregning med reformen flyttet til hver sammenligningskommune ({n} placebo-beregninger). "
            "{municipality}s estimat er markeret."
        ),
        "placebo_caption_corrected": " Placebo-estimaterne er omregnet til {municipality}s størrelse (se bilag A).",
        "alternatives": "Andre valg giver et lignende resultat",
        "alt_col_variant": "Variant",
        "alt_main": "Hovedresultat ({pool})",
        "alt_pool": "Sammenligning med {pool}",
        "alt_unadjusted": "Uden konjunkturkorrektion",
        "alt_conley_taber": "Conley–Taber-interval",
        "alt_uncorrected": "Uden størrelseskorrektion",
        "alt_synthetic_did": "Syntetisk difference-in-differences",
        "alt_synthetic_control": "Syntetisk kontrol (uden konjunkturkorrektion)",
        "dose_heading": "Sagsstammen som dosis",
        "dose_text": (
            "For hver sag færre pr. sagsbehandler arbejdede målgruppen {slope} timer {direction} om året "
            "({level}-interval: {interval}; p = {p}). Ved {municipality}s ændring fra {before} til {after} sager pr. "
            "sagsbehandler svarer det til {implied} timer om året. {share} % af variationen i sagsstammen, når der "
            "er taget højde for faste effekter og konjunkturer, ligger i {municipality} selv, så hældningen bygger "
            "{mostly} på {municipality}s egen udvikling, og den tager også alt andet med, der skete, mens "
            "sagsstammen var lav (fx det tværfaglige team)."
        ),
        "dose_axis_label": "Sager pr. sagsbehandler i {municipality}",
        "dose_more": "mere",
        "dose_less": "mindre",
        "dose_mostly": "mest",
        "dose_partly": "kun delvis",
        "dose_absent": "Der er ikke angivet data om sagsstammen, så den bruges ikke som dosis.",
        "dose_unavailable": (
            "Sagsstammen kan ikke bruges som dosis med disse data (se de tekniske meddelelser i bilag A)."
        ),
        "dose_caption": (
            "Den effekt, hældningen giver ved {municipality}s sagsstamme, måned for måned, mod antallet af sager pr. "
            "sagsbehandler."
        ),
        "synthetic_heading": "Syntetisk sammenligning",
        "synthetic_ylabel": "Timer pr. person pr. måned",
        "synthetic_did_text": (
            "Syntetisk difference-in-differences vægter sammenligningskommunerne, så de tilsammen udvikler sig "
            "som {municipality} før reformen, og tager højde for konjunkturerne: {effect} timer om året "
            "({level}-interval: {interval}). Den kommune, der vejer mest, vejer {top} %. Flyttes starten et år "
            "tilbage, så kun data fra før reformen bruges, bliver effekten {in_time} timer om året."
        ),
        "synthetic_control_text": (
            "Klassisk syntetisk kontrol, der kun bruger arbejdstimerne og ikke konjunkturerne, giver {effect} "
            "timer om året; {municipality}s afvigelse efter reformen i forhold til før er den {rank}. største "
            "blandt {n} kommuner."
        ),
        "synthetic_donors": (
            "{n} sammenligningskommuner med færre end {k} personer i målgruppen i en måned indgår ikke i den "
            "syntetiske sammenligning."
        ),
        "synthetic_caption": (
            "{municipality} og den syntetiske sammenligning (syntetisk difference-in-differences), arbejdstimer "
            "pr. person pr. måned; reformens start er markeret."
        ),
        "alt_col_method": "Usikkerhed",
        "alt_col_municipalities": "Kommuner",
        "unbounded": "ikke afgrænset",
        "alt_note": (
            "Med få sammenligningskommuner kan placebo-testen ikke give et afgrænset interval: den mindste "
            "mulige p-værdi er 1/(antal kommuner)."
        ),
        "appendix_method": "Bilag A. Metode og data",
        "method_text": (
            "Data er månedlige arbejdstimer pr. person i målgruppen fra {first} til {last}. Effekten er "
            "koefficienten på reformindikatoren i en regression med faste effekter for person og måned"
            "{cycle_clause}. {inference}"
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
        "excluded_not_in_pool": "kommune uden for {pool}",
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
        "config": "Konfiguration",
        "months": "{n} måneder",
        # the inference, from the fields of its record
        "method_placebo": "placebo-test",
        "method_conley_taber": "Conley–Taber",
        "method_cluster": "klyngerobust {vcov}",
        "method_wild_bootstrap": "wild bootstrap",
        "size_corrected": "størrelseskorrigeret",
        "not_size_corrected": "ikke størrelseskorrigeret",
        "detail_placebo_exact": "placebo-tildeling til alle {n} sammenligningskommuner, {corrected}",
        "detail_placebo_random": "placebo-tildeling, {n} tilfældige tildelinger, {corrected}",
        "detail_conley_taber_exact": "Conley–Taber, {n} sammenligningskommuner, {corrected}",
        "detail_conley_taber_random": "Conley–Taber, {n} lodtrækninger blandt sammenligningskommunerne, {corrected}",
        "detail_cluster": "klyngerobuste standardfejl ({vcov}), {clusters}, t-fordeling med {df} frihedsgrader",
        "detail_cluster_invalid": "; ikke gyldige med kun {treated}",
        "detail_wild_bootstrap": (
            "wild bootstrap på klyngeniveau (restringeret, {weights}-vægte, {draws} trækninger, {clusters})"
        ),
        "detail_wild_bootstrap_invalid": "; upålidelig med kun én behandlet kommune",
        "clusters_municipalities": "{n} kommuner som klynger",
        "clusters_other": "{n} klynger",
        "treated_one": "{n} behandlet kommune",
        "treated_many": "{n} behandlede kommuner",
        "method_para_placebo": (
            "Med kun én behandlet kommune er klyngerobuste standardfejl ikke gyldige; usikkerheden beregnes "
            "derfor ved placebo-tildeling: reformen tildeles i stedet {assigned}, og {municipality}s estimat "
            "sammenlignes med fordelingen af placebo-estimater. Intervallet fås ved at invertere testen."
        ),
        "assigned_exact": "hver af de {n} sammenligningskommuner",
        "assigned_random": "{n} gange tilfældigt valgte sammenligningskommuner (frø {seed})",
        "method_para_conley_taber": (
            "Med kun én behandlet kommune er klyngerobuste standardfejl ikke gyldige; usikkerheden beregnes "
            "derfor efter Conley og Taber (2011): hvor langt {municipality}s estimat kan ligge fra den sande "
            "effekt af tilfældige grunde, vurderes ud fra de tilsvarende tilfældige afvigelser i {drawn}. "
            "Intervallet fås ved at invertere testen."
        ),
        "drawn_exact": "de {n} sammenligningskommuner",
        "drawn_random": "{n} tilfældige udtræk af sammenligningskommuner (frø {seed})",
        "method_para_cluster": (
            "Usikkerheden er beregnet med klyngerobuste standardfejl ({vcov}) med {clusters} og en "
            "t-fordeling med {df} frihedsgrader."
        ),
        "method_para_cluster_invalid": (
            " De forudsætter mange behandlede kommuner: med kun {treated} er standardfejlene for små og "
            "intervallet for smalt, så resultatet bør bekræftes med placebo-tildeling (inference = \"placebo\")."
        ),
        "method_para_wild_bootstrap": (
            "Usikkerheden er beregnet med en restringeret wild bootstrap på klyngeniveau: {draws} trækninger "
            "med {weights}-vægte over {clusters}."
        ),
        "method_para_wild_bootstrap_invalid": (
            " Med kun én behandlet kommune afviser denne test langt for sjældent (MacKinnon og Webb 2017), så "
            "resultatet bør bekræftes med placebo-tildeling (inference = \"placebo\")."
        ),
        # the size correction of Ferman and Pinto (2019), computed from the fitted model
        "size_heading": "Korrektion for kommunernes størrelse",
        "size_differ": (
            "Kommunerne har forskelligt antal {unit} i målgruppen: fra {smallest} til {largest}; "
            "{municipality} har {treated}."
        ),
        "size_model": (
            "En lille kommunes estimat kan svinge mere af tilfældige grunde end en stor kommunes. Usikkerheden er "
            "derfor beskrevet som hos Ferman og Pinto (2019): variansen af en kommunes estimat er A + B/M, hvor "
            "M er antallet af {unit}, A står for udsving, der rammer hele kommunen og ikke udlignes, og B/M for "
            "tilfældige forskelle mellem {unit}, som bliver mindre, jo flere der er."
        ),
        "size_fit": "Estimeret på de {fitted} sammenligningskommuner {a_text}, og {b_text}.",
        "size_a_zero": (
            "er A lig nul (forskellene mellem kommunerne forklares alene af deres antal {unit})"
        ),
        "size_a": "svarer A til en standardafvigelse på {sd} timer om året uanset kommunens størrelse",
        "size_b_zero": "B er lig nul (usikkerheden afhænger ikke af antallet af {unit})",
        "size_b": "B til en standardafvigelse på {sd} timer om året pr. {one}",
        "size_b_after_zero": "B svarer til en standardafvigelse på {sd} timer om året pr. {one}",
        "size_sd": (
            "Det giver en standardafvigelse på {treated} timer om året for {municipality}, {typical} timer for "
            "en typisk sammenligningskommune ({typical_size} {unit}) og {small} timer for {small_name}."
        ),
        "size_smallest": "den mindste kommune ({n} {unit})",
        "size_small": "en kommune med {n} {unit}",
        "size_rescale_placebo": (
            "Hver sammenligningskommunes placebo-estimat er derfor omregnet til {municipality}s usikkerhed, før "
            "det sammenlignes med {municipality}s estimat; en typisk sammenligningskommunes estimat er ganget "
            "med {factor}."
        ),
        "size_rescale_conley_taber": (
            "Hver sammenligningskommunes afvigelse er derfor omregnet til {municipality}s usikkerhed, før den "
            "bruges som mål for {municipality}s tilfældige afvigelse; en typisk sammenligningskommunes afvigelse "
            "er ganget med {factor}."
        ),
        "size_direction_less": (
            "Uden korrektionen ville de mindre kommuners større tilfældige udsving få {municipality}s estimat "
            "til at se mindre usædvanligt ud, end det er."
        ),
        "size_direction_more": (
            "Uden korrektionen ville de større kommuners mindre tilfældige udsving få {municipality}s estimat "
            "til at se mere usædvanligt ud, end det er."
        ),
        "size_effect": (
            "Med korrektionen er {level}-intervallet {interval} og p-værdien {p}; uden den ville de have været "
            "{interval_off} og {p_off}."
        ),
        "size_effect_p": "Med korrektionen er p-værdien {p}; uden den ville den have været {p_off}.",
        "size_effect_same_p": "p-værdien er {p} både med og uden korrektionen.",
        "size_sd_equal": "Det giver samme standardafvigelse for alle kommuner: {sd} timer om året.",
        "size_rescale_none": (
            "Omregningen af sammenligningskommunernes estimater til {municipality}s usikkerhed ændrer derfor "
            "ikke noget her."
        ),
        "size_also": "{items} er korrigeret på samme måde, hver med sin egen estimerede model.",
        "size_also_one": "{items} er korrigeret på samme måde, med sin egen estimerede model.",
        "also_event": "hændelsesstudiet",
        "also_conley_taber": "Conley–Taber-intervallet",
        "also_pools": "sammenligningerne med andre kommunegrupper",
        "and": "og",
        "interval_prose": "{low} til {high} timer om året",
        "size_switched_off": (
            "Korrektionen for kommunernes størrelse (Ferman og Pinto 2019), som ellers omregner hver "
            "sammenligningskommunes estimat til {municipality}s usikkerhed, er slået fra i konfigurationen "
            "(size_correction = false): estimaterne sammenlignes, som de er, selv om små kommuners estimater "
            "svinger mere af tilfældige grunde end store kommuners."
        ),
        "size_equal": (
            "Alle kommuner har lige mange {unit} i målgruppen ({treated}), så der er ingen forskel i størrelse "
            "at korrigere for (Ferman og Pinto 2019)."
        ),
        "size_no_model": (
            "De {fitted} sammenligningskommuner var ikke nok til at bestemme, hvordan usikkerheden afhænger af "
            "størrelsen (A + B/M hos Ferman og Pinto 2019), så estimaterne sammenlignes, som de er."
        ),
        "size_not_offered": (
            "Korrektionen for kommunernes størrelse (Ferman og Pinto 2019) kan ikke bruges med denne beregning; "
            "estimaterne sammenlignes, som de er."
        ),
        "size_none": (
            "Med {method} sammenlignes {municipality} ikke med de enkelte sammenligningskommuner, så der er "
            "ingen korrektion for kommunernes størrelse."
        ),
        "size_none_cluster": "klyngerobuste standardfejl",
        "size_none_wild_bootstrap": "wild bootstrap",
        "unit_persons": "personer",
        "unit_persons_one": "person",
        "unit_weight sum": "vægtenheder",
        "unit_weight sum_one": "vægtenhed",
        "unit_rows": "observationer",
        "unit_rows_one": "observation",
        "fewer_than": "færre end {k}",
        # what the inference left out
        "what_main": "Hovedresultatet",
        "what_unadjusted": "Uden konjunkturkorrektion",
        "what_uncorrected": "Uden størrelseskorrektion",
        "what_event": "Hændelsesstudiet",
        "what_conley_taber": "Conley–Taber",
        "what_pool": "Sammenligning med {pool}",
        "left_out_exact_one": (
            "{what}: 1 sammenligningskommune er udeladt, fordi den ikke har observationer i alle perioder efter "
            "reformen, så effekten ikke kan estimeres der."
        ),
        "left_out_exact_many": (
            "{what}: {n} sammenligningskommuner er udeladt, fordi de ikke har observationer i alle perioder "
            "efter reformen, så effekten ikke kan estimeres der."
        ),
        "left_out_random": (
            "{what}: {n} af de tilfældige placebo-tildelinger er udeladt, fordi effekten ikke kan estimeres der."
        ),
        "month_names": "januar februar marts april maj juni juli august september oktober november december",
        "notes_intro": "Tekniske meddelelser fra estimationen (på engelsk):",
        "page": "Side",
    },
    "en": {
        "lang": "en",
        "title": "Evaluation of the programme for {group} in {municipality} Municipality",
        "subtitle": "The programme for {group} in {municipality} Municipality ({region}) from {start}",
        "built": "Built {date} with hjeval {version}",
        "summary": "Summary",
        "headline_unit": "more hours of work a year per person",
        "headline_unit_lower": "fewer hours of work a year per person",
        "headline_sub": "net of the business cycle",
        "summary_effect": (
            "The reform from {start} raised hours worked by {group} in {municipality} by {effect} hours a year "
            "per person, net of the business cycle and of the development in {pool}. That is {weeks} weeks of "
            "full-time work a year."
        ),
        "summary_effect_lower": (
            "The reform from {start} lowered hours worked by {group} in {municipality} by {effect} hours a year "
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
            "comparison municipality instead."
        ),
        "summary_placebo_random": (
            "As a check, the same calculation was made {n} times as if the reform had happened in randomly "
            "chosen comparison municipalities instead."
        ),
        "summary_placebo_none": "None of them shows a change as large as {municipality}'s.",
        "summary_placebo_few": "A change as large as {municipality}'s appears in only {k} of them.",
        "summary_placebo_many": "A change as large as {municipality}'s appears in {k} of them.",
        "summary_placebo_corrected": (
            "The comparison municipalities' estimates were first rescaled to {municipality}'s size, so that "
            "they are as uncertain as {municipality}'s own."
        ),
        "summary_placebo_switched_off": (
            "The comparison municipalities' estimates were not rescaled to {municipality}'s size: the size "
            "correction is switched off in the configuration."
        ),
        "summary_fte": (
            "For the whole target group of about {persons} persons this is {fte} full-time persons in work "
            "(1,924 hours a year)."
        ),
        "summary_raw": (
            "Before the reform ({before}) the target group worked {raw_before} hours a year on average, after it "
            "({after}) {raw_after} hours. {of_change} of {raw_change} hours, {cycle} hours are due to the "
            "business cycle and {other} hours to the common trend and a changed composition of the target "
            "group; {effect} hours are the reform's effect."
        ),
        "raw_rise": "Of the rise",
        "raw_fall": "Of the fall",
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
        "kf_fte": "Extra hours as full-time persons in work",
        "kf_pvalue": "p-value ({method})",
        "kf_unadjusted": "Without the cycle adjustment (hours a year)",
        "summary_paid_off": (
            "With {prob} probability the investment of {invested} million DKK had paid for itself by the end of "
            "{last}; the best estimate is {saved} million DKK saved on benefits."
        ),
        "summary_saved_no_draws": (
            "The best estimate is {saved} million DKK saved on benefits by the end of {last} against {invested} "
            "million DKK invested; without placebo estimates its uncertainty cannot be computed."
        ),
        "summary_payback": "Counted without discounting, the investment paid for itself in {year}.",
        "summary_not_yet": "By the end of {last} the investment had not yet paid for itself.",
        "summary_persons": (
            "In {year}, {persons} fewer full-time persons among {group} were on public support than there would "
            "have been without the reform{interval}."
        ),
        "summary_persons_more": (
            "In {year}, {persons} more full-time persons among {group} were on public support than there would "
            "have been without the reform{interval}."
        ),
        "summary_persons_interval": " ({level} interval: {low} to {high})",
        "summary_weeks": (
            "Spells on the benefit that began after the reform lasted {after} weeks on average in {municipality}, "
            "against {before} weeks before (counted up to {horizon} weeks)."
        ),
        "summary_weeks_effect": (
            "Against {pool}, spells became {effect} weeks shorter ({level} interval of the change: {interval} "
            "weeks)."
        ),
        "summary_weeks_effect_longer": (
            "Against {pool}, spells became {effect} weeks longer ({level} interval of the change: {interval} "
            "weeks)."
        ),
        "between": "{low} to {high}",
        "payoff_unavailable": (
            "The number on the benefit cannot be compared with the comparison municipalities in these data, so the "
            "saving is not computed (see the technical messages in appendix A)."
        ),
        "support_unavailable": (
            "The duration of spells cannot be measured in these data: it needs spells beginning before and after "
            "the reform, both in the municipality and in the comparison municipalities (see the technical "
            "messages in appendix A)."
        ),
        "kf_persons": "Fewer full-time persons on support ({year})",
        "kf_net": "Net gain {first}–{last} (million DKK)",
        "kf_prob": "Probability of having paid off",
        "kf_weeks": "Change in weeks on benefit per spell",
        "payoff": "Did the investment pay off?",
        "payoff_intro": (
            "The saving is the benefit not paid because fewer people were on public support. The number of {group} "
            "on the benefit in {municipality} ({stock} persons on average before the reform) is compared year by "
            "year with {pool}, each municipality against its own level before the reform{cycle}. Each full-time "
            "person fewer counts at the year's benefit per full-time person. The uncertainty comes from "
            "{method}, as for the main result."
        ),
        "payoff_cycle": ", with the local unemployment rate as an explanatory variable",
        "payoff_pretrend": "Before the reform the number on the benefit moved as in the comparison municipalities "
                           "(p = {p}).",
        "payoff_pretrend_fails": (
            "Warning: before the reform the number on the benefit moved differently from the comparison "
            "municipalities (p = {p}); read the saving with caution."
        ),
        "payoff_probability": (
            "The probability is the share of the placebo estimates in which the saving by the end of {last} covers "
            "the investment: {k} of {n} ({prob})."
        ),
        "payoff_undiscounted": "The net gain is {net} million DKK, undiscounted.",
        "payoff_discounted": (
            "The present value in {year} of the net gain at a discount rate of {rate} a year is {net} million DKK."
        ),
        "payoff_roi": "Each krone invested saved {roi} kroner.",
        "payoff_scope": (
            "The saving counts only the benefits of {group}; effects on other benefits, on tax revenue and on "
            "people's health and welfare are not included."
        ),
        "payoff_no_costs": "No costs panel (costs) is given, so the investment and the saving are not compared.",
        "payoff_costs_failed": (
            "The costs panel does not cover every year with an effect, so the investment and the saving are not "
            "compared (see the technical messages in appendix A)."
        ),
        "payoff_caption": "Invested and saved on benefits in {municipality}, cumulative (million DKK).",
        "payoff_caption_band": "The band is the {level} band of the saving from {n} placebo estimates.",
        "persons_table": "Full-time persons on public support by year",
        "cost_table": "Investment and saving by year (million DKK)",
        "col_year": "Year",
        "col_persons_off": "Fewer on support",
        "col_on_support": "On support",
        "col_without_reform": "Without the reform",
        "col_saved": "Saved",
        "col_invested": "Invested",
        "col_net": "Net",
        "col_cumulative": "Cumulative net",
        "col_band": "{level} band",
        "support": "Time on public support",
        "support_intro": (
            "A spell is an unbroken run of months on the benefit. Spells that began before the reform are compared "
            "with spells that began from {start}, in {municipality} and {pool}. The mean counts up to {horizon} "
            "weeks, because the latest spells have not ended yet; the median is the duration by which half have "
            "left the benefit."
        ),
        "support_effect": (
            "The reform's effect on duration (a difference in differences of the means): {effect} weeks ({level} "
            "interval: {interval}; p = {p}; {method})."
        ),
        "support_hazard": (
            "The chance of leaving the benefit in a given month is multiplied by {hr} (hazard ratio, interval "
            "{interval})."
        ),
        "support_table": "Weeks on the benefit per spell (mean counted up to {horizon} weeks)",
        "survival_caption": (
            "Share still on the benefit after the spell began, {municipality} and the comparison municipalities, "
            "for spells starting before and after the reform. Curves are shown only while at least {k} persons "
            "are in a spell; the vertical line is the horizon of {horizon} weeks."
        ),
        "col_municipality": "Municipality",
        "col_spells_started": "Spells started",
        "col_spells": "Spells",
        "col_median_weeks": "Median",
        "col_mean_weeks": "Mean",
        "col_censored": "Running (%)",
        "window_before": "before the reform",
        "window_after": "after the reform",
        "development": "Caseloads and employment over time",
        "development_caseload": "Cases per caseworker in {municipality} and in {pool}.",
        "caseload_mark": "the reform starts",
        "caseload_fell": (
            "In {municipality} the number of cases per caseworker fell from {before} in {before_span} to {after} "
            "in {after_span} ({change})."
        ),
        "caseload_rose": (
            "In {municipality} the number of cases per caseworker rose from {before} in {before_span} to {after} "
            "in {after_span} ({change})."
        ),
        "caseload_same": (
            "In {municipality} the number of cases per caseworker stayed about the same (within ±5%): {before} "
            "in {before_span} and {after} in {after_span} ({change})."
        ),
        "caseload_unknown": (
            "The caseload in {municipality} before and after the reform cannot be compared: there are no "
            "publishable figures for both periods."
        ),
        "caseload_absent": (
            "No caseload data were given, so the number of cases per caseworker over time is not shown."
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
        # what drove the effect and for whom (hjeval.report.drivers_section)
        "drivers": "What drove the effect, and for whom?",
        "phases_heading": "The model's phases",
        "phase_name_caseload": "lower caseload",
        "phase_name_team": "lower caseload and interdisciplinary team",
        "phases_intro": (
            "The model's components started at different times: {phases}. The effect is estimated for each phase "
            "separately with the same model and uncertainty as the main result, each against the period before the "
            "reform."
        ),
        "phases_from": "{phase} from {month}",
        "phases_first_above": (
            "Already in the first phase ({phase}, {period}) the effect was {effect} hours a year ({level} interval: "
            "{interval}; p = {p}): it was there before the later components of the model started."
        ),
        "phases_first_below": (
            "In the first phase ({phase}, {period}) the effect was {effect} hours a year ({level} interval: "
            "{interval}; p = {p}): hours worked were lower than without the reform."
        ),
        "phases_first_zero": (
            "In the first phase ({phase}, {period}) the effect cannot be told apart from zero: {effect} hours a "
            "year ({level} interval: {interval}; p = {p})."
        ),
        "phases_difference_larger": (
            "In the last phase ({phase}) the effect was {diff} hours a year larger than in the first ({level} "
            "interval for the difference: {interval}; p = {p})."
        ),
        "phases_difference_smaller": (
            "In the last phase ({phase}) the effect was {diff} hours a year smaller than in the first ({level} "
            "interval for the difference: {interval}; p = {p})."
        ),
        "phases_difference_none": (
            "The effect in the last phase ({phase}) does not clearly differ from the first: the difference is "
            "{diff} hours a year ({level} interval: {interval}; p = {p})."
        ),
        "phases_withheld": (
            "One or more phases have fewer than {k} persons in {municipality} and are not shown; the phases are "
            "therefore not compared."
        ),
        "phases_absent": (
            "No phases are given in the configuration (the table [phases] with each phase's name and first month), "
            "so the effect is not split by phase."
        ),
        "phases_failed": (
            "The effect cannot be split by the configured phases with these data (see the technical messages in "
            "Appendix A)."
        ),
        "phases_table": "Effect by phase (hours a year per person)",
        "col_phase": "Phase",
        "col_period": "Period",
        "phases_difference_row": "Difference (last − first phase)",
        "subgroups_heading": "Who gained?",
        "subgroups_intro": (
            "The effect is estimated for each group separately by {columns} with the same model as the main "
            "result. The p-values are adjusted with Holm's method for testing several groups within each "
            "characteristic. Groups with fewer than {k} persons in {municipality} are not estimated and not shown."
        ),
        "subgroups_missing": "The data have no column {columns}, so there is no split by {what}.",
        "subgroups_missing_many": "The data have no columns {columns}, so there is no split by {what}.",
        "subgroups_none": (
            "The data have none of the columns sex, origin and interventions, so the effect cannot be split by group."
        ),
        "subgroups_failed": "The split by {what} cannot be computed with these data (see the technical messages in "
                            "Appendix A).",
        "what_sex": "sex",
        "what_origin": "origin",
        "what_interventions": "number of interventions",
        "subgroups_equal": "By {what} the effects cannot be told apart (test of equal effects: p = {p}).",
        "subgroups_differ": (
            "By {what} the effects differ (test of equal effects: p = {p}): from {low} hours a year ({low_name}) to "
            "{high} hours ({high_name})."
        ),
        "subgroups_one_level": "By {what} only one group can be shown, so the groups are not compared.",
        "subgroups_few": (
            "Citizens with few interventions (at most {n} so far) gained {few} hours a year ({level} interval: "
            "{few_interval}), citizens with more {many} hours ({many_interval})."
        ),
        "subgroups_few_same": "The effect for those with few interventions cannot be told apart from the rest's "
                              "(p = {p}).",
        "subgroups_few_smaller": "The effect for those with few interventions is smaller than the rest's (p = {p}).",
        "subgroups_few_larger": "The effect for those with few interventions is larger than the rest's (p = {p}).",
        "subgroups_few_withheld": "The group with few interventions has fewer than {k} persons in {municipality} and "
                                  "is not shown.",
        "subgroups_women": (
            "Women on integration benefit are estimated separately on the integration-benefit recipients' data: "
            "{effect} hours a year ({level} interval: {interval}; p = {p}); {verdict}"
        ),
        "subgroups_women_above": "the effect is clearly above zero.",
        "subgroups_women_below": "the effect is clearly below zero.",
        "subgroups_women_zero": "the interval includes zero, so no effect can be shown for them.",
        "subgroups_women_no_sex": "Women on integration benefit cannot be estimated: the data have no column sex.",
        "subgroups_women_no_group": (
            "Women on integration benefit cannot be estimated: the data have no integration-benefit rows "
            "(benefit_group = \"integration\") in {municipality}."
        ),
        "subgroups_women_withheld": (
            "Women on integration benefit are fewer than {k} persons in {municipality} and are not shown."
        ),
        "subgroups_women_failed": (
            "Women on integration benefit cannot be estimated with these data (see the technical messages in "
            "Appendix A)."
        ),
        "subgroups_table": "Effect by group (hours a year per person)",
        "col_group": "Group",
        "col_persons_in": "Persons in {municipality}",
        "col_p_holm": "p (Holm)",
        "level_sex_F": "Women",
        "level_sex_M": "Men",
        "level_origin_danish": "Danish origin",
        "level_origin_western": "Western origin",
        "level_origin_non_western": "Non-Western origin",
        "level_interventions_few": "Few interventions (0–{n})",
        "level_interventions_many": "More interventions ({m}+)",
        "level_women_integration_F": "Women on integration benefit",
        "subgroups_figure_title": "Effect by group",
        "subgroups_all": "Whole target group",
        "subgroups_caption": (
            "Effect by group with its {level} confidence interval (hours a year per person); the diamond and the "
            "dashed line are the whole target group. The group with few interventions and women on integration "
            "benefit (estimated on the integration-benefit recipients' data) are highlighted. Groups with fewer "
            "than {k} persons in {municipality} are not shown."
        ),
        "copying_heading": "Could a municipality that copies the model see the effect?",
        "copying_intro": (
            "For each of the other municipalities in the {region}, we computed how large an effect its own "
            "evaluation could detect. The calculation uses only the municipality's data before {start}: an "
            "evaluation with {pre} months before and {post} months after a pretend start, the same model and "
            "placebo test as here and the same comparison municipalities (with {municipality}). The minimum "
            "detectable effect is the effect the test at the {alpha} level finds with {power} probability; the "
            "power at {municipality}'s effect ({effect} hours a year) is the probability of finding an effect that "
            "large."
        ),
        "copying_range": (
            "The minimum detectable effect lies between {low} hours a year ({low_name}) and {high} hours "
            "({high_name}). With an effect like {municipality}'s, {n_high} of {n} municipalities would find it with "
            "at least {power} probability."
        ),
        "copying_one": (
            "The minimum detectable effect for {name} is {mde} hours a year; the power at an effect like "
            "{municipality}'s is {prob}."
        ),
        "copying_never": (
            "{names}: with so few comparison municipalities the placebo test can never reject, so no effect can be "
            "detected."
        ),
        "copying_withheld": "{n} municipality(ies) with fewer than {k} persons in the target group before {start} "
                            "are not shown.",
        "copying_failed": "{names} cannot be computed with these data (see the technical messages in Appendix A).",
        "copying_none": "No other municipality in the {region} has data, so the table is left out.",
        "copying_scope": (
            "The calculation assumes that the municipality gets the same effect as {municipality}; an evaluation "
            "with more months before its start usually has a smaller minimum detectable effect."
        ),
        "copying_table": "Minimum detectable effect and power for municipalities that copy the model",
        "col_persons_before": "Persons before {start}",
        "col_mde": "Minimum detectable effect (hours a year)",
        "col_power_at": "Power at {municipality}'s effect",
        "never": "not detectable",
        "this_region": "region",
        "robustness": "Does the result hold?",
        "event_caption": (
            "The effect for each period of {n} months relative to the period just before the reform "
            "({level} confidence band)."
        ),
        "event_pretrend": " Before the reform the difference stays around zero; test of equal trends before the "
                          "reform: p = {p}.",
        "event_pretrend_fails": (
            " Before the reform the difference departs from zero: the test of equal trends before the reform "
            "rejects them (p = {p}), so part of the difference after the reform may be a development already under "
            "way."
        ),
        "placebo_caption": (
            "The same calculation with the reform moved to each comparison municipality ({n} placebo estimates). "
            "{municipality}'s estimate is marked."
        ),
        "placebo_caption_corrected": " The placebo estimates are rescaled to {municipality}'s size (see Appendix A).",
        "alternatives": "Other choices give a similar result",
        "alt_col_variant": "Variant",
        "alt_main": "Main result ({pool})",
        "alt_pool": "Compared with {pool}",
        "alt_unadjusted": "Without the cycle adjustment",
        "alt_conley_taber": "Conley–Taber interval",
        "alt_uncorrected": "Without the size correction",
        "alt_synthetic_did": "Synthetic difference-in-differences",
        "alt_synthetic_control": "Synthetic control (no cycle adjustment)",
        "dose_heading": "The caseload as a dose",
        "dose_text": (
            "For each case fewer per caseworker the target group worked {slope} hours {direction} a year ({level} "
            "interval: {interval}; p = {p}). {municipality}'s change from {before} to {after} cases per caseworker "
            "thus corresponds to {implied} hours a year. {share}% of the variation in the caseload left after the "
            "fixed effects and the business cycle lies in {municipality} itself, so the slope rests {mostly} on "
            "{municipality}'s own path, and it also takes in anything else that happened while the caseload was low "
            "(such as the interdisciplinary team)."
        ),
        "dose_axis_label": "Cases per caseworker in {municipality}",
        "dose_more": "more",
        "dose_less": "less",
        "dose_mostly": "mostly",
        "dose_partly": "only partly",
        "dose_absent": "No caseload panel is given, so the caseload is not used as a dose.",
        "dose_unavailable": "The caseload cannot be used as a dose in these data (see the technical messages in "
                            "appendix A).",
        "dose_caption": (
            "The effect the slope implies at {municipality}'s caseload, month by month, against the cases per "
            "caseworker."
        ),
        "synthetic_heading": "Synthetic comparison",
        "synthetic_ylabel": "Hours per person a month",
        "synthetic_did_text": (
            "Synthetic difference-in-differences weights the comparison municipalities so that together they move "
            "like {municipality} before the reform, and adjusts for the business cycle: {effect} hours a year "
            "({level} interval: {interval}). The municipality with the largest weight carries {top}%. Moving the "
            "start one year earlier, using only data from before the reform, gives {in_time} hours a year."
        ),
        "synthetic_control_text": (
            "The classical synthetic control, which uses the hours alone and not the business cycle, gives {effect} "
            "hours a year; {municipality}'s deviation after the reform relative to before ranks {rank} of {n} "
            "municipalities."
        ),
        "synthetic_donors": (
            "{n} comparison municipalities with fewer than {k} persons in the target group in some month are left "
            "out of the synthetic comparison."
        ),
        "synthetic_caption": (
            "{municipality} and its synthetic comparison (synthetic difference-in-differences), hours worked per "
            "person a month; the reform's start is marked."
        ),
        "alt_col_method": "Uncertainty",
        "alt_col_municipalities": "Municipalities",
        "unbounded": "not bounded",
        "alt_note": (
            "With few comparison municipalities the placebo test cannot give a bounded interval; its p-value "
            "cannot fall below 1/(number of municipalities)."
        ),
        "appendix_method": "Appendix A. Method and data",
        "method_text": (
            "The data are monthly hours worked per person in the target group from {first} to {last}. The effect "
            "is the coefficient on the reform indicator in a regression with person and month fixed effects"
            "{cycle_clause}. {inference}"
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
        "excluded_not_in_pool": "municipality outside {pool}",
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
        "config": "Configuration",
        "months": "{n} months",
        # the inference, from the fields of its record
        "method_placebo": "placebo test",
        "method_conley_taber": "Conley–Taber",
        "method_cluster": "cluster-robust {vcov}",
        "method_wild_bootstrap": "wild bootstrap",
        "size_corrected": "size-corrected",
        "not_size_corrected": "not size-corrected",
        "detail_placebo_exact": "placebo assignment to all {n} comparison municipalities, {corrected}",
        "detail_placebo_random": "placebo assignment, {n} random assignments, {corrected}",
        "detail_conley_taber_exact": "Conley–Taber, {n} comparison municipalities, {corrected}",
        "detail_conley_taber_random": "Conley–Taber, {n} draws from the comparison municipalities, {corrected}",
        "detail_cluster": "cluster-robust standard errors ({vcov}), {clusters}, t distribution with {df} degrees of "
                          "freedom",
        "detail_cluster_invalid": "; not valid with only {treated}",
        "detail_wild_bootstrap": "wild cluster bootstrap (restricted, {weights} weights, {draws} draws, {clusters})",
        "detail_wild_bootstrap_invalid": "; unreliable with only one treated municipality",
        "clusters_municipalities": "{n} municipalities as clusters",
        "clusters_other": "{n} clusters",
        "treated_one": "{n} treated municipality",
        "treated_many": "{n} treated municipalities",
        "method_para_placebo": (
            "With only one treated municipality, cluster-robust standard errors are not valid; the uncertainty "
            "therefore comes from placebo assignment: the reform is given to {assigned} instead, and "
            "{municipality}'s estimate is compared with the distribution of placebo estimates. The interval "
            "inverts that test."
        ),
        "assigned_exact": "each of the {n} comparison municipalities",
        "assigned_random": "randomly chosen comparison municipalities {n} times (seed {seed})",
        "method_para_conley_taber": (
            "With only one treated municipality, cluster-robust standard errors are not valid; the uncertainty "
            "therefore follows Conley and Taber (2011): how far {municipality}'s estimate can lie from the true "
            "effect by chance is judged from the same chance deviations in {drawn}. The interval inverts that "
            "test."
        ),
        "drawn_exact": "the {n} comparison municipalities",
        "drawn_random": "{n} random draws of comparison municipalities (seed {seed})",
        "method_para_cluster": (
            "The uncertainty comes from cluster-robust standard errors ({vcov}) with {clusters} and a "
            "t distribution with {df} degrees of freedom."
        ),
        "method_para_cluster_invalid": (
            " They require many treated municipalities: with only {treated} the standard errors are too small "
            "and the interval too narrow, so the result should be confirmed by placebo assignment "
            "(inference = \"placebo\")."
        ),
        "method_para_wild_bootstrap": (
            "The uncertainty comes from a restricted wild cluster bootstrap: {draws} draws with {weights} weights "
            "over {clusters}."
        ),
        "method_para_wild_bootstrap_invalid": (
            " With only one treated municipality this test rejects far too rarely (MacKinnon and Webb 2017), so "
            "the result should be confirmed by placebo assignment (inference = \"placebo\")."
        ),
        # the size correction of Ferman and Pinto (2019), computed from the fitted model
        "size_heading": "Correction for the municipalities' size",
        "size_differ": (
            "The municipalities have different numbers of {unit} in the target group: from {smallest} to "
            "{largest}; {municipality} has {treated}."
        ),
        "size_model": (
            "A small municipality's estimate can vary more by chance than a large one's. The uncertainty is "
            "therefore described as in Ferman and Pinto (2019): the variance of a municipality's estimate is "
            "A + B/M, where M is its number of {unit}, A stands for shocks that hit the whole municipality and "
            "do not average out, and B/M for chance differences between {unit}, which shrink the more of them "
            "there are."
        ),
        "size_fit": "Estimated on the {fitted} comparison municipalities, {a_text}, and {b_text}.",
        "size_a_zero": "A is zero (the differences between municipalities are explained by their number of {unit} "
                       "alone)",
        "size_a": "A corresponds to a standard deviation of {sd} hours a year whatever the municipality's size",
        "size_b_zero": "B is zero (the uncertainty does not depend on the number of {unit})",
        "size_b": "B to a standard deviation of {sd} hours a year per {one}",
        "size_b_after_zero": "B corresponds to a standard deviation of {sd} hours a year per {one}",
        "size_sd": (
            "That gives a standard deviation of {treated} hours a year for {municipality}, {typical} hours for a "
            "typical comparison municipality ({typical_size} {unit}) and {small} hours for {small_name}."
        ),
        "size_smallest": "the smallest municipality ({n} {unit})",
        "size_small": "a municipality of {n} {unit}",
        "size_rescale_placebo": (
            "Each comparison municipality's placebo estimate was therefore rescaled to {municipality}'s "
            "uncertainty before being compared with {municipality}'s estimate; a typical comparison "
            "municipality's estimate was multiplied by {factor}."
        ),
        "size_rescale_conley_taber": (
            "Each comparison municipality's deviation was therefore rescaled to {municipality}'s uncertainty "
            "before serving as a measure of {municipality}'s chance deviation; a typical comparison "
            "municipality's deviation was multiplied by {factor}."
        ),
        "size_direction_less": (
            "Without the correction, the larger chance swings of the smaller municipalities would make "
            "{municipality}'s estimate look less unusual than it is."
        ),
        "size_direction_more": (
            "Without the correction, the smaller chance swings of the larger municipalities would make "
            "{municipality}'s estimate look more unusual than it is."
        ),
        "size_effect": (
            "With the correction the {level} interval is {interval} and the p-value {p}; without it they would "
            "have been {interval_off} and {p_off}."
        ),
        "size_effect_p": "With the correction the p-value is {p}; without it, it would have been {p_off}.",
        "size_effect_same_p": "The p-value is {p} with and without the correction.",
        "size_sd_equal": "That gives every municipality the same standard deviation: {sd} hours a year.",
        "size_rescale_none": (
            "Rescaling the comparison municipalities' estimates to {municipality}'s uncertainty therefore changes "
            "nothing here."
        ),
        "size_also": "{items} are corrected in the same way, each with its own fitted model.",
        "size_also_one": "{items} is corrected in the same way, with its own fitted model.",
        "also_event": "the event study",
        "also_conley_taber": "the Conley–Taber interval",
        "also_pools": "the comparisons with other municipality groups",
        "and": "and",
        "interval_prose": "{low} to {high} hours a year",
        "size_switched_off": (
            "The correction for the municipalities' size (Ferman and Pinto 2019), which otherwise rescales each "
            "comparison municipality's estimate to {municipality}'s uncertainty, is switched off in the "
            "configuration (size_correction = false): the estimates are compared as they are, although small "
            "municipalities' estimates vary more by chance than large ones'."
        ),
        "size_equal": (
            "All municipalities have the same number of {unit} in the target group ({treated}), so there is no "
            "difference in size to correct for (Ferman and Pinto 2019)."
        ),
        "size_no_model": (
            "The {fitted} comparison municipalities were not enough to determine how the uncertainty depends on "
            "size (A + B/M in Ferman and Pinto 2019), so the estimates are compared as they are."
        ),
        "size_not_offered": (
            "The correction for the municipalities' size (Ferman and Pinto 2019) cannot be used with this "
            "calculation; the estimates are compared as they are."
        ),
        "size_none": (
            "With {method}, {municipality} is not compared with each comparison municipality in turn, so there "
            "is no correction for the municipalities' size."
        ),
        "size_none_cluster": "cluster-robust standard errors",
        "size_none_wild_bootstrap": "the wild bootstrap",
        "unit_persons": "persons",
        "unit_persons_one": "person",
        "unit_weight sum": "units of weight",
        "unit_weight sum_one": "unit of weight",
        "unit_rows": "observations",
        "unit_rows_one": "observation",
        "fewer_than": "fewer than {k}",
        # what the inference left out
        "what_main": "Main result",
        "what_unadjusted": "Without the cycle adjustment",
        "what_uncorrected": "Without the size correction",
        "what_event": "Event study",
        "what_conley_taber": "Conley–Taber",
        "what_pool": "Compared with {pool}",
        "left_out_exact_one": (
            "{what}: 1 comparison municipality is left out: it has no rows in some period after the reform, so "
            "the effect cannot be estimated there."
        ),
        "left_out_exact_many": (
            "{what}: {n} comparison municipalities are left out: they have no rows in some period after the "
            "reform, so the effect cannot be estimated there."
        ),
        "left_out_random": (
            "{what}: {n} of the random placebo assignments are left out because the effect cannot be estimated "
            "there."
        ),
        "month_names": "January February March April May June July August September October November December",
        "notes_intro": "Technical messages from the estimation:",
        "page": "Page",
    },
}
