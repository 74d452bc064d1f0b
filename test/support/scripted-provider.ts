import type { LabelDetector } from '../../functions/adapters/label-detector.js';

/** A provider that answers as `answers` says, call by call (then labels), and counts its calls. */
export function scriptedProvider(...answers: Array<Error | 'labels'>) {
  const counter = { calls: 0 };
  const detect: LabelDetector['detect'] = async () => {
    const answer = answers[counter.calls++] ?? 'labels';
    if (answer instanceof Error) throw answer;
    return [{ name: 'Harbour', confidence: 91 }];
  };
  return { detector: { detect }, counter };
}
