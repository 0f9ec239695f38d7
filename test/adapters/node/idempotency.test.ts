import { nodeOrders } from '../../support/idempotency-apps.ts';
import { describeIdempotencyOverSocket } from '../../support/idempotency-over-socket.ts';

describeIdempotencyOverSocket('node:http', nodeOrders);
