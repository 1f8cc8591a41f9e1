// Reward sources for ZOPrO: a score per (prompt, completion). Built-in rules for demos (length,
// contains a keyword, matches a regular expression); a second loaded model scoring with a
// verbalizer log-probability; an OpenAI-compatible endpoint asked to judge (src/rephrase's client).
import type { RewardRule } from '../api';
import type { LlamaForward } from '../model/llama';
import type { Tokenizer } from '../data/tokenizer';

export interface Rollout {
  prompt: string;
  completion: string;
  /** The completion's token ids (a stop token, when hit, is the last; `completion` omits it). */
  ids: number[];
}

export interface RewardSource {
  readonly name: string;
  score(rollouts: readonly Rollout[]): Promise<number[]>;
}

/** A built-in rule on the completion's text (without its stop token): length in characters up
 *  to `target` (scaled to [0, 1]), keyword presence (case-insensitive), regex match. */
export function ruleReward(rule: RewardRule): RewardSource {
  const visible = (r: Rollout) => r.completion;
  switch (rule.kind) {
    case 'length': {
      if (!(rule.target > 0)) throw new Error('length reward: target must be > 0 characters');
      return { name: `length up to ${rule.target} chars`, score: async (rs) => rs.map((r) => Math.min(visible(r).trim().length, rule.target) / rule.target) };
    }
    case 'keyword': {
      if (!rule.keyword) throw new Error('keyword reward: the keyword is empty');
      const k = rule.keyword.toLowerCase();
      return { name: `contains "${rule.keyword}"`, score: async (rs) => rs.map((r) => (visible(r).toLowerCase().includes(k) ? 1 : 0)) };
    }
    case 'regex': {
      let re: RegExp;
      try {
        re = new RegExp(rule.pattern, (rule.flags ?? '').replace('g', ''));
      } catch (e) {
        throw new Error(`regex reward: ${(e as Error).message}`);
      }
      return { name: `matches /${rule.pattern}/${rule.flags ?? ''}`, score: async (rs) => rs.map((r) => (re.test(visible(r)) ? 1 : 0)) };
    }
  }
}

/**
 * A second loaded model as the judge: reward = log p(yes) - log p(no) of the verbalizer tokens
 * after `template` (with {prompt} and {completion} filled in), scored in batches on its own
 * LlamaForward (sized by the caller: maxCandidates >= 2, one scored position per row).
 */
export function verbalizerReward(o: { forward: LlamaForward; tokenizer: Tokenizer; template: string; yes: string; no: string; padId?: number }): RewardSource {
  const tokenOf = (word: string) => {
    const ids = o.tokenizer.encode(word, { addSpecialTokens: false });
    if (ids.length !== 1) throw new Error(`verbalizer word "${word}" is ${ids.length} tokens; pick a single-token word`);
    return ids[0];
  };
  const yes = tokenOf(o.yes);
  const no = tokenOf(o.no);
  const { maxBatch, maxSeqLen } = o.forward.state.limits;
  return {
    name: `verbalizer ${o.yes}/${o.no}`,
    async score(rs) {
      const out: number[] = [];
      for (let start = 0; start < rs.length; start += maxBatch) {
        const chunk = rs.slice(start, start + maxBatch);
        const seqs = chunk.map((r) => o.tokenizer.encode(o.template.replace('{prompt}', r.prompt).replace('{completion}', r.completion)).slice(-maxSeqLen));
        const T = Math.max(...seqs.map((s) => s.length));
        const ids = new Uint32Array(chunk.length * T).fill(o.padId ?? o.tokenizer.padId);
        seqs.forEach((s, b) => ids.set(s, b * T));
        const positions = Uint32Array.from(seqs, (s, b) => b * T + s.length - 1);
        const targets = Uint32Array.from(seqs.flatMap(() => [yes, no]));
        const lp = await o.forward.logprobs({ ids, batch: chunk.length, seqLen: T, positions, targets, candidates: 2 });
        for (let b = 0; b < chunk.length; b++) out.push(lp[2 * b] - lp[2 * b + 1]);
      }
      return out;
    },
  };
}

/** What the judge endpoint needs: one chat completion (src/rephrase/client.ts ChatClient fits). */
export interface JudgeClient {
  complete(messages: { role: 'system' | 'user' | 'assistant'; content: string }[], options?: { temperature?: number; maxTokens?: number }): Promise<{ content: string }>;
}

export const JUDGE_PROMPT = `Rate how well the response answers the prompt, from 0 (useless) to 10 (perfect). Reply with the number only.

Prompt: {prompt}
Response: {completion}`;

/** The user's LLM endpoint as a judge: the first number in its reply, divided by 10; NaN-free (unparseable = 0). */
export function judgeReward(client: JudgeClient, template = JUDGE_PROMPT): RewardSource {
  return {
    name: 'LLM judge',
    async score(rs) {
      const out: number[] = [];
      for (const r of rs) {
        const reply = await client.complete([{ role: 'user', content: template.replace('{prompt}', r.prompt).replace('{completion}', r.completion) }], { temperature: 0, maxTokens: 8 });
        const m = /-?\d+(\.\d+)?/.exec(reply.content);
        out.push(m ? Math.min(Math.max(Number(m[0]), 0), 10) / 10 : 0);
      }
      return out;
    },
  };
}

/** RLOO advantages (Ahmadian et al. 2024): r_i minus the mean of the other k - 1 rewards of its prompt. */
export function rlooAdvantages(rewards: readonly number[], k: number): number[] {
  if (k < 2 || rewards.length % k !== 0) throw new Error(`RLOO needs k >= 2 samples per prompt (got k = ${k} for ${rewards.length} rewards)`);
  const out: number[] = [];
  for (let g = 0; g < rewards.length; g += k) {
    const group = rewards.slice(g, g + k);
    const sum = group.reduce((a, b) => a + b, 0);
    for (const r of group) out.push(r - (sum - r) / (k - 1));
  }
  return out;
}
