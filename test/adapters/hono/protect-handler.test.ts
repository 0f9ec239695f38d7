import { honoHandlerApp } from '../../support/adapter-apps.ts';
import { describeAdapterOverSocket } from '../../support/adapter-over-socket.ts';

describeAdapterOverSocket('Hono 4 (protectHandler around the handler)', honoHandlerApp);
