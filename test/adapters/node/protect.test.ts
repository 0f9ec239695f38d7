import { nodeApp } from '../../support/adapter-apps.ts';
import { describeAdapterOverSocket } from '../../support/adapter-over-socket.ts';

describeAdapterOverSocket('node:http', nodeApp);
