import { expressOrders } from '../../support/idempotency-apps.ts';
import { describeIdempotencyOverSocket } from '../../support/idempotency-over-socket.ts';

describeIdempotencyOverSocket('Express', expressOrders);
