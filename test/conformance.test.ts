/**
 * The conformance kit (harness/conformance) on every built-in plug-in: each property, for each of its
 * conformance cases, on the kit's synthetic word corpus and on a character toy, is one test that trains its
 * own model. A new built-in is tested here for free once it is in the registry.
 */
import { describe, expect, it } from 'vitest';
import { encodeCorpus } from '../corpora/corpus.ts';
import { toyCorpus } from '../corpora/toy.ts';
import { UserError } from '../errors/user-error.ts';
import { assertConformance, conformanceChecks, conformanceCorpus } from '../harness/conformance/index.ts';
import { BUILT_IN_PLUGINS } from '../models/registry.ts';

const CORPORA = [encodeCorpus(conformanceCorpus()), encodeCorpus(toyCorpus('ship'))];

for (const plugin of BUILT_IN_PLUGINS) {
  describe(`conformance: ${plugin.name}`, () => {
    it('rejects unknown and out-of-range options with an error naming them', () => {
      expect(() => plugin.create({ noSuchOption: 1 }, CORPORA[0]!.vocab)).toThrow(UserError);
      expect(() => plugin.create({ noSuchOption: 1 }, CORPORA[0]!.vocab)).toThrow(/noSuchOption/);
    });

    for (const check of conformanceChecks(plugin, { corpora: CORPORA })) {
      it(check.title, async () => {
        const result = await check.run();
        assertConformance(result);
        expect(result.pass).toBe(true);
      });
    }
  });
}
