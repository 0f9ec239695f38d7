/**
 * The store of the jar `cookies: true` makes (`cookie-jar.ts`): tough-cookie's MemoryCookieStore,
 * bounded. Loaded with tough-cookie, only when a client asks for cookies.
 */
import { type Callback, type Cookie, type ErrorCallback, MemoryCookieStore } from 'tough-cookie';

export interface CookieLimits {
  /** A Set-Cookie (name, value and attributes) longer than this, in UTF-8 bytes, is ignored. */
  bytesPerCookie: number;
  /** Cookies kept per cookie domain (the host for a host-only cookie). */
  perDomain: number;
  /** Cookies kept in all. */
  total: number;
}

const idOf = (domain: string, path: string, key: string) => JSON.stringify([domain, path, key]);

/**
 * A MemoryCookieStore that keeps its cookies in order of use, and evicts past the limits. tough-cookie
 * calls a store with callbacks and MemoryCookieStore answers them at once, so the order is kept
 * synchronously whichever way it is called. It also leaves no empty domain or path entry behind, as
 * MemoryCookieStore does, so cookies under ever new paths cannot grow its index either.
 */
export class BoundedCookieStore extends MemoryCookieStore {
  readonly #limits: Readonly<CookieLimits>;
  /** Every cookie held, least recently used first. */
  readonly #used = new Map<string, Cookie>();
  /** The same, per domain. */
  readonly #byDomain = new Map<string, Map<string, Cookie>>();

  constructor(limits: Readonly<CookieLimits>) {
    super();
    this.#limits = limits;
  }

  override putCookie(cookie: Cookie): Promise<void>;
  override putCookie(cookie: Cookie, callback: ErrorCallback): void;
  override putCookie(cookie: Cookie, callback?: ErrorCallback): Promise<void> | void {
    const answer = callback ? super.putCookie(cookie, callback) : super.putCookie(cookie);
    const { domain, path, key } = cookie;
    if (domain == null || path == null || key == null) return answer;
    this.#use(domain, idOf(domain, path, key), cookie);
    const mine = this.#byDomain.get(domain)!;
    while (mine.size > this.#limits.perDomain) this.#evict(mine.values().next().value!);
    while (this.#used.size > this.#limits.total) this.#evict(this.#used.values().next().value!);
    return answer;
  }

  override findCookies(domain: string, path: string, allowSpecialUseDomain?: boolean): Promise<Cookie[]>;
  override findCookies(
    domain: string,
    path: string,
    allowSpecialUseDomain?: boolean,
    callback?: Callback<Cookie[]>,
  ): void;
  override findCookies(
    domain: string,
    path: string,
    allowSpecialUseDomain?: boolean,
    callback?: Callback<Cookie[]>,
  ): Promise<Cookie[]> | undefined {
    if (!callback) return super.findCookies(domain, path, allowSpecialUseDomain).then((found) => this.#touch(found));
    super.findCookies(domain, path, allowSpecialUseDomain, ((error: Error | null, found?: Cookie[]) => {
      if (error) callback(error);
      else callback(null, this.#touch(found ?? []));
    }) as Callback<Cookie[]>);
    return undefined;
  }

  override removeCookie(domain: string, path: string, key: string): Promise<void>;
  override removeCookie(domain: string, path: string, key: string, callback: ErrorCallback): void;
  override removeCookie(domain: string, path: string, key: string, callback?: ErrorCallback): Promise<void> | void {
    this.#forget(domain, idOf(domain, path, key));
    const answer = callback ? super.removeCookie(domain, path, key, callback) : super.removeCookie(domain, path, key);
    this.#prune(domain, path);
    return answer;
  }

  override removeCookies(domain: string, path: string): Promise<void>;
  override removeCookies(domain: string, path: string, callback: ErrorCallback): void;
  override removeCookies(domain: string, path: string, callback?: ErrorCallback): Promise<void> | void {
    for (const cookie of [...(this.#byDomain.get(domain)?.values() ?? [])])
      if (!path || cookie.path === path) this.#forget(domain, idOf(domain, cookie.path!, cookie.key));
    return callback ? super.removeCookies(domain, path, callback) : super.removeCookies(domain, path);
  }

  override removeAllCookies(): Promise<void>;
  override removeAllCookies(callback: ErrorCallback): void;
  override removeAllCookies(callback?: ErrorCallback): Promise<void> | void {
    this.#used.clear();
    this.#byDomain.clear();
    return callback ? super.removeAllCookies(callback) : super.removeAllCookies();
  }

  /** Marks a cookie used now (a Map keeps insertion order: delete and set moves it last). */
  #use(domain: string, id: string, cookie: Cookie): void {
    this.#used.delete(id);
    this.#used.set(id, cookie);
    const mine = this.#byDomain.get(domain) ?? new Map<string, Cookie>();
    this.#byDomain.set(domain, mine);
    mine.delete(id);
    mine.set(id, cookie);
  }

  /** Marks the cookies found for a request used now (RFC 6265 §5.4 step 3: their last-access time). */
  #touch(found: Cookie[]): Cookie[] {
    for (const cookie of found)
      if (cookie.domain != null && cookie.path != null)
        this.#use(cookie.domain, idOf(cookie.domain, cookie.path, cookie.key), cookie);
    return found;
  }

  #evict(cookie: Cookie): void {
    this.removeCookie(cookie.domain!, cookie.path!, cookie.key);
  }

  #forget(domain: string, id: string): void {
    this.#used.delete(id);
    const mine = this.#byDomain.get(domain);
    mine?.delete(id);
    if (mine?.size === 0) this.#byDomain.delete(domain);
  }

  /** Drops the path and domain entries a removal left empty. */
  #prune(domain: string, path: string): void {
    const paths = this.idx[domain];
    if (!paths) return;
    if (paths[path] && Object.keys(paths[path]).length === 0) delete paths[path];
    if (Object.keys(paths).length === 0) delete this.idx[domain];
  }
}
