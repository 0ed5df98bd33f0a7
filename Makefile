# One command each: `make run` (the main job) and `make test` do all the set-up they need.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run summary bench viz test readme clean validate calibrate sensitivity psa structural decision-maps optimise optimise-robust optimise-equity discover mechanisms places uncertainty

install: $(STAMP)

$(STAMP): pyproject.toml
	@python=$$(.ci/find-python) || exit 1; \
	  test -x $(PY) || $$python -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# The default funding-policy comparison on the embedded default place (a borough of 150,000 adults);
# baseline first: it is the reference every other scenario is compared with.
SCENARIOS := baseline no_social_prescribing more_link_workers fund_vcse supported_discharge \
             balanced_budget peer_support vcse_tariff long_term_support continuity
run: $(STAMP)
	$(PY) -m spsim.experiments run $(SCENARIOS) --replicates 10 --years 5 --workers 2 --out results/default

# One simulation and its counterfactual, printed (quick look)
summary: $(STAMP)
	$(PY) -m spsim.model --years 3 --counterfactual

bench: $(STAMP)
	$(PY) -m spsim.experiments.runs.bench

# The evidence jobs, exactly as they made the committed results (README "For researchers"; minutes each)
validate: $(STAMP)
	$(PY) -m spsim.experiments validate --replicates 10 --workers 2
calibrate: $(STAMP)
	$(PY) -m spsim.experiments calibrate --waves 2 --workers 2
sensitivity: $(STAMP)
	$(PY) -m spsim.experiments sensitivity baseline more_link_workers fund_vcse balanced_budget --samples 4 --workers 2
	$(PY) -m spsim.experiments sensitivity baseline more_link_workers fund_vcse balanced_budget --method sobol --top 8 \
	  --samples 64 --workers 2 --out results/sensitivity-sobol
# 1,000 draws, one replicate each: the value of information is estimated by regression on the draws, which
# separates the parameters' uncertainty from chance (docs/methods.md). No service is inside it, so whether today's
# service pays its way is answered under the same uncertainty as the funded options (issue 26)
psa: $(STAMP)
	$(PY) -m spsim.experiments psa baseline no_social_prescribing more_link_workers fund_vcse supported_discharge \
	  peer_support balanced_budget --draws 1000 --replicates 1 --years 3 --workers 2
# The economics under its structural alternatives (seeds/economic_alternatives.toml): tornado, scenarios, checks
structural: $(STAMP)
	$(PY) -m spsim.experiments structural --workers 2
# The best split of the default comparison's extra money (100,000 GBP per 100,000 adults a year) for the borough
# (each search starts afresh: a search's journal records its place, and resuming one made before it did is refused),
# then the best split confirmed on fresh seeds: the best of 40 on the same replicates is flattered by chance
optimise: $(STAMP)
	rm -rf results/optimise
	$(PY) -m spsim.experiments optimise --budget 150000 --population 150000 --trials 40 --replicates 3 --years 3 --workers 2
	$(PY) -m spsim.experiments run baseline balanced_budget more_link_workers results/optimise/best_split.toml --seed 7 \
	  --replicates 10 --years 3 --workers 2 --out results/optimise/confirm
# The same money for a 50,000-adult place, judged across 100 draws of the uncertain parameters (as the PSA draws
# them): 16 options x 100 draws x 2 replicates, 3,200 runs
optimise-robust: $(STAMP)
	rm -rf results/optimise-robust
	$(PY) -m spsim.experiments optimise --budget 50000 --population 50000 --robust 100 --trials 12 --replicates 2 --years 3 \
	  --workers 2 --compare balanced_budget,more_link_workers,fund_vcse --out results/optimise-robust
# Benefit against the deprivation gap in net wellbeing: the trade-off front (40 trials x 10 paired replicates, so
# that a split's equity gap has an interval narrow enough to read; with 2 replicates none could be told from zero)
optimise-equity: $(STAMP)
	rm -rf results/optimise-equity
	$(PY) -m spsim.experiments optimise --budget 50000 --population 50000 --objective equity --trials 40 --replicates 10 \
	  --years 3 --workers 2 --compare balanced_budget,more_link_workers,fund_vcse --out results/optimise-equity
# Which option is best where (issue 27): referral volume x group capacity, and effect size x horizon; 5 x 5 cells,
# 7 options, 10 paired replicates of 50,000 adults each: 1,750 runs a map (with 3, few cells could tell the
# funded options apart)
decision-maps: $(STAMP)
	for map in volume-capacity effect-horizon; do $(PY) -m spsim.experiments decision-map --map $$map --replicates 10 \
	  --workers 2 --out results/decision-maps/$$map || exit 1; done
# Where in the PSA's draws grants beat more link workers (PRIM)
discover: $(STAMP)
	$(PY) -m spsim.experiments discover --policy fund_vcse --over more_link_workers
# How much each mechanism matters: each switched off or changed, paired with the default (5 x 100,000 adults, 3 years)
mechanisms: $(STAMP)
	$(PY) -m spsim.experiments.uncertainty.mechanism_sizes --workers 2
# Does the ranking of more link workers and grants depend on the place's supply of groups? (the urban example place)
places: $(STAMP)
	$(PY) -m spsim.experiments.uncertainty.place_ranking --workers 2
uncertainty: validate sensitivity psa discover

# The browser page on http://127.0.0.1:8765/
viz: $(STAMP)
	$(PY) -m spsim.experiments viz

test: $(STAMP)
	$(PY) -m pytest -q -n 2

# The README's numbers (set-up line, headline table, headline in words), written from results/default/
readme: $(STAMP)
	$(PY) -m spsim.experiments.reporting.readme_numbers

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
