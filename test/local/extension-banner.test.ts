import { describe, expect, it } from 'vitest';
import { extensionStatus } from '../../functions/core/extension-status.js';
import { extensionBannerLines } from '../../local/extension-banner.js';

describe('the start banner’s extension lines', () => {
  it('say which extensions are available, and for the others the next step', () => {
    const lines = extensionBannerLines({
      version: '0.1.0',
      extensions: {
        'aws-auto-tagging': extensionStatus('aws-auto-tagging', { configured: true }, undefined),
        'google-auto-tagging': extensionStatus('google-auto-tagging', { configured: false, where: 'local' }, undefined),
      },
    });
    expect(lines).toEqual([
      '  aws-auto-tagging: available',
      expect.stringMatching(
        /^ {2}google-auto-tagging: not configured\. Google Cloud Vision needs a key: set AITAGS_VISION_API_KEY .*`npm run fakes`/,
      ),
    ]);
  });
});
