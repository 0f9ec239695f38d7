import { honoLimited } from '../../support/rate-limit-apps.ts';
import { describeRateLimitOverSocket } from '../../support/rate-limit-over-socket.ts';

describeRateLimitOverSocket('Hono', honoLimited);
