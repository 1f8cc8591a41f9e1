// ZO-DPO's few-step check (tests/helpers/dpoFewSteps.ts) on the demo model; `npm test` runs the
// same check on a tiny random model with the demo tokenizer (tests/preference/dpo.test.ts).
import { DEMO_MODEL } from '../helpers/paths';
import { describeDpoFewSteps } from '../helpers/dpoFewSteps';

describeDpoFewSteps(() => DEMO_MODEL);
