import { expressApp } from '../../support/adapter-apps.ts';
import { describeAdapterOverSocket } from '../../support/adapter-over-socket.ts';

describeAdapterOverSocket('Express 5', expressApp);
