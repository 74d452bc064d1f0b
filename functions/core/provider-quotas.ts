/** The providers' quotas that pace tagging jobs: a module of its own, free of zod, for runtime/config.ts. */
export interface ProviderQuotas {
  /** Rekognition DetectLabels transactions per second (the account's quota). */
  rekognitionTps: number;
  /** Vision requests per minute (the project's quota). */
  visionRpm: number;
}

/** Rekognition's default DetectLabels quota in most regions, and Vision's default requests per minute. */
export const DEFAULT_PROVIDER_QUOTAS: ProviderQuotas = { rekognitionTps: 5, visionRpm: 1800 };
