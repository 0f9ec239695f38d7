import { fastifyApp } from '../../support/adapter-apps.ts';
import { describeAdapterOverSocket } from '../../support/adapter-over-socket.ts';

describeAdapterOverSocket('Fastify 5', fastifyApp);
