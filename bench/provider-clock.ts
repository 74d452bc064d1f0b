import { performance } from 'node:perf_hooks';

export type Provider = 'rekognition' | 'vision';

/**
 * When each fake provider had its answer ready: the fakes call `onRequest` after reading the body and
 * decoding the image, just before their artificial latency starts. So the answer leaves at about
 * readyAt + latencyMs. Used to split a tagged upload into "until the providers are asked" and "after
 * they answered".
 */
export class ProviderClock {
  private readonly ready: Array<{ provider: Provider; at: number }> = [];

  onRequest(provider: Provider): () => void {
    return () => {
      this.ready.push({ provider, at: performance.now() });
    };
  }

  /** The first moment `provider` was ready inside [from, to], if it was asked at all. */
  firstReady(provider: Provider, from: number, to: number): number | undefined {
    return this.ready.find((entry) => entry.provider === provider && entry.at >= from && entry.at <= to)?.at;
  }

  /** Requests `provider` received inside [from, to]: more than one per upload means an SDK retry. */
  count(provider: Provider, from: number, to: number): number {
    return this.ready.filter((entry) => entry.provider === provider && entry.at >= from && entry.at <= to).length;
  }
}
