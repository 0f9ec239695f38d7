/**
 * `gatehouse users add|list|remove|passwd|revoke-sessions`: people who sign in with a password.
 * Removing a user or changing a password ends every session of that user: their refresh-token
 * families are revoked (access tokens already issued live until their exp, 10 minutes by default).
 */
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../server/credentials/password-hash.ts';
import type { GatehouseStore } from '../../stores/types.ts';
import { MAX_PASSWORD_BYTES, newPasswordProblem } from '../new-password.ts';
import { readSecret } from '../secret-input.ts';
import { withStore } from '../store-option.ts';
import { EXIT_FAILED, EXIT_OK, type Io, parse, table, UsageError } from './command.ts';

export const USERS_USAGE = `gatehouse users add <username> [--scope S]… [--role R]…   (password from stdin or a prompt)
gatehouse users list
gatehouse users remove <username>
gatehouse users passwd <username>                          (new password from stdin or a prompt)
gatehouse users revoke-sessions <username>                 (every refresh token of that user)
  --store URL   sqlite:PATH (default sqlite:gatehouse.db, or $GATEHOUSE_STORE), postgres://…`;

const USERS_OPTIONS = {
  store: { type: 'string' },
  scope: { type: 'string', multiple: true },
  role: { type: 'string', multiple: true },
} as const;

export async function users(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, USERS_OPTIONS);
  const [action, username, ...extra] = positionals;
  if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (
    action !== 'add' &&
    action !== 'list' &&
    action !== 'remove' &&
    action !== 'passwd' &&
    action !== 'revoke-sessions'
  )
    throw new UsageError(`users needs an action: add, list, remove, passwd or revoke-sessions`);
  if (action !== 'list' && !username) throw new UsageError(`users ${action} needs a username`);

  // Only add creates the store, and only now that its arguments are checked.
  return withStore(values.store, { create: action === 'add' }, async (store) => {
    switch (action) {
      case 'add':
        return addUser(store, username!, values, io);
      case 'list': {
        const all = await store.users.listUsers();
        io.out(
          table([
            ['USERNAME', 'ID', 'SCOPES', 'ROLES'],
            ...all.map((u) => [u.username, u.id, (u.scopes ?? []).join(' '), (u.roles ?? []).join(' ')]),
          ]).join('\n'),
        );
        return EXIT_OK;
      }
      case 'remove': {
        const user = await store.users.findUserByName(username!);
        if (!user || !(await store.users.removeUser(username!))) {
          io.err(`gatehouse users remove: no user ${username}`);
          return EXIT_FAILED;
        }
        const revoked = await store.refreshTokens.revokeSubject(user.id, Date.now());
        io.out(`removed ${username} and revoked ${sessions(revoked)}`);
        return EXIT_OK;
      }
      case 'revoke-sessions': {
        const user = await store.users.findUserByName(username!);
        if (!user) {
          io.err(`gatehouse users revoke-sessions: no user ${username}`);
          return EXIT_FAILED;
        }
        const revoked = await store.refreshTokens.revokeSubject(user.id, Date.now());
        io.out(`revoked ${sessions(revoked)} of ${username}`);
        return EXIT_OK;
      }
      case 'passwd':
        return changePassword(store, username!, io);
    }
  });
}

async function addUser(
  store: GatehouseStore,
  username: string,
  values: ReturnType<typeof parse<typeof USERS_OPTIONS>>['values'],
  io: Io,
): Promise<number> {
  if (await store.users.findUserByName(username)) {
    io.err(`gatehouse users add: ${username} exists already; use users passwd to change the password`);
    return EXIT_FAILED;
  }
  const password = await readSecret(`password for ${username}: `, MAX_PASSWORD_BYTES);
  const problem = newPasswordProblem(password);
  if (problem) {
    io.err(`gatehouse users add: ${problem}`);
    return EXIT_FAILED;
  }
  await store.users.putUser({
    username,
    id: `u_${randomUUID()}`,
    passwordHash: await hashPassword(password),
    scopes: values.scope ?? [],
    roles: values.role ?? [],
  });
  io.out(`added ${username}`);
  return EXIT_OK;
}

async function changePassword(store: GatehouseStore, username: string, io: Io): Promise<number> {
  const user = await store.users.findUserByName(username);
  if (!user) {
    io.err(`gatehouse users passwd: no user ${username}`);
    return EXIT_FAILED;
  }
  const password = await readSecret(`new password for ${username}: `, MAX_PASSWORD_BYTES);
  const problem = newPasswordProblem(password);
  if (problem) {
    io.err(`gatehouse users passwd: ${problem}`);
    return EXIT_FAILED;
  }
  await store.users.putUser({ ...user, passwordHash: await hashPassword(password) });
  // Whoever signed in with the old password (perhaps the reason for the change) is signed out.
  // After the change, not before: a sign-in with the old password in between would survive.
  const revoked = await store.refreshTokens.revokeSubject(user.id, Date.now());
  io.out(`changed the password of ${username} and revoked ${sessions(revoked)}`);
  return EXIT_OK;
}

const sessions = (n: number) => `${n} ${n === 1 ? 'session' : 'sessions'}`;
