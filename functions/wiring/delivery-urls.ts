import { DeliveryUrlBuilder } from '../adapters/delivery-urls.js';
import { deliveryConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import { presignedUrls } from './presigned-urls.js';

const { deliveryBaseUrl } = deliveryConfig();

export const deliveryUrls = once(() => new DeliveryUrlBuilder(deliveryBaseUrl, presignedUrls()));
