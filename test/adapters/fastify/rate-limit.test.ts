import { fastifyLimited } from '../../support/rate-limit-apps.ts';
import { describeRateLimitOverSocket } from '../../support/rate-limit-over-socket.ts';

describeRateLimitOverSocket('Fastify', fastifyLimited);
