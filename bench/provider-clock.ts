export type Provider = 'rekognition' | 'vision';

/**
 * When each fake provider was asked: the fakes answer `latencyMs` after a request arrived (their own work
 * included) and pass that arrival to `onRequest`. So the answer leaves at about arrivedAt + latencyMs.
 * Used to split a tagged upload into "until the providers are asked" and "after they answered".
 */
export class ProviderClock {
  private readonly asked: Array<{ provider: Provider; at: number }> = [];

  onRequest(provider: Provider): (request: unknown, arrivedAt: number) => void {
    return (_request, arrivedAt) => {
      this.asked.push({ provider, at: arrivedAt });
    };
  }

  /** The first moment `provider` was asked inside [from, to], if it was asked at all. */
  firstAsked(provider: Provider, from: number, to: number): number | undefined {
    return this.asked.find((entry) => entry.provider === provider && entry.at >= from && entry.at <= to)?.at;
  }

  /** Requests `provider` received inside [from, to]: more than one per upload means an SDK retry. */
  count(provider: Provider, from: number, to: number): number {
    return this.asked.filter((entry) => entry.provider === provider && entry.at >= from && entry.at <= to).length;
  }
}
