"""Calibrated synthetic panels of the Hjørring reform, with their known truth.

:func:`generate` writes a person-month hours panel, its municipality-month
aggregate, caseload, business-cycle and cost panels, and ``truth.json`` with
every parameter and the true effects, so that estimators can be checked
against a known answer.

Data-generating process
-----------------------
World
    98 municipalities, months 2010-01 .. 2019-12, four target groups
    (activity-ready and job-ready cash benefit, sickness benefit, integration
    benefit). Recipients per municipality are proportional to population
    times a benefit-incidence factor (:mod:`hjeval.synthetic.geography`);
    nationally about 10 million person-months.
Business cycle
    National registered unemployment runs from about 6 % (2010-2012) to
    3.7 % (2019), with a 2015-2018 boom. Each municipality's rate is its
    level plus its sensitivity times the national deviation plus an AR(1)
    shock; Hjørring's sensitivity (2.2) is the highest, so its unemployment
    falls most in the boom (:mod:`hjeval.synthetic.cycle`).
Spells
    New persons enter each month (Poisson; more when local unemployment is
    high, and a refugee wave on integration benefit 2015-2017); spells end by
    a monthly exit hazard that rises when local unemployment falls; one
    person stays in one municipality and group and may return after a gap
    (:mod:`hjeval.synthetic.spells`).
Hours
    A month has work with a probability that combines a group base, sex,
    origin and age at entry, a person effect (log-normal, mean one), the
    municipality's level, the local cycle (``1 - c * (U - level)``) and, for
    activity-ready recipients, a common downward drift from 2014 to 2016 (the
    2014 cash-benefit reform left an ever more burdened group). Hours in a
    working month are Gamma distributed and rounded to a quarter hour; most
    months have none (:mod:`hjeval.synthetic.panel`).
Reform (Hjørring, code 860)
    The cash-benefit caseload falls from 75 to 35 in the first half of 2015
    and returns to 45 in 2019; the health team starts in 2015-10. The effect
    on hours a month is ``per_case * (75 - caseload) + team_hours * team``
    for activity-ready recipients; other groups get stated shares, women on
    integration benefit a third. Exit rates rise with the same dose, which
    shortens spells (about 121 -> 68 weeks), and interventions become more
    frequent (:mod:`hjeval.synthetic.reform`, :mod:`hjeval.synthetic.params`).
Calibration (activity-ready, Hjørring, hours a year)
    Expected about 52.5 in 2014 and 115.5 in 2015-01..2017-08 (published:
    50-55 and 113.9), a true effect of about 49 there (published: about 50,
    range 39-51); sampling SE of each mean about 1.5. The rest of the rise is
    the cycle: because Hjørring reacts more strongly, a difference in
    differences that ignores it overstates the effect by about 12 hours a
    year (SD across seeds about 2.2), while comparison municipalities gain
    about 2. Mean time on activity-ready benefit in Hjørring: about 122
    weeks for spells starting 2010-2014 and 68 for spells starting 2015-2016
    (other municipalities: about 142 and 112); see ``truth.json`` for the
    exact measure.
Staggered rollout (``rollout="staggered"``, ``hjeval synth --rollout staggered``)
    Twenty municipalities adopt the caseload model, each in its own month
    (:data:`hjeval.synthetic.params.ROLLOUT`): Hjørring and three others in
    2015-01, eight in 2017-01 and eight in 2018-01. Each gets Hjørring's
    caseload dose, team, hours effect, exit-rate and intervention factors by
    months since adoption; everything else, and every municipality that
    does not adopt, is as in the default world. ``adoption.csv`` gives each
    municipality's cohort (first treated year and month, 0 or empty for
    never treated); ``truth.json``'s ``staggered_rollout`` entry holds the
    adopters, the true ATT(g,t) of the activity-ready hours by cohort and
    year, its aggregations, and the exact expectation of the
    Callaway-Sant'Anna estimator on municipality x year means
    (:mod:`hjeval.synthetic.rollout`).
Outputs
    ``truth.json`` records every parameter, the realised true effects (means
    of the per-person-month expected extra hours), durations, caseload paths,
    row counts and a sha256 of each data file; for time on support, the
    reform's true effect on Hjørring's mean (and restricted mean) weeks on
    benefit by window and the full-time persons off support by year, exact
    expectations under the generator's hazards (:mod:`hjeval.synthetic.support`). The same seed and scale give
    byte-identical files; North Jutland is identical at both scales.

Examples
--------
>>> from hjeval.synthetic import DEFAULT_SEED, generate
>>> DEFAULT_SEED
2015
"""

from hjeval.synthetic.params import ROLLOUTS, Rollout
from hjeval.synthetic.writer import DEFAULT_SEED, FILE_NAMES, ROLLOUT_FILE_NAMES, generate

__all__ = ["DEFAULT_SEED", "FILE_NAMES", "ROLLOUTS", "ROLLOUT_FILE_NAMES", "Rollout", "generate"]
