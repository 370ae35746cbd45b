import { api } from '../lib/api';
import { toAppError, type AppError } from '../lib/errors';
import { EVENTS, onEvent } from '../lib/events';
import { createStore } from '../lib/store';
import type { SessionInfo, SignInRequest, SyncState, User } from '../lib/types';

/** Who is signed in, where to, the sync engine's state and the team directory. */
export interface SessionState {
  session: SessionInfo | null;
  loading: boolean;
  error: AppError | null;
  /** A sign-in attempt from Settings is under way. */
  signingIn: boolean;
  signInError: AppError | null;
  sync: SyncState;
  /** Agents, supervisors and admins, for assignment and the supervisor view. */
  users: User[];
}

export const initialSessionState: SessionState = {
  session: null,
  loading: false,
  error: null,
  signingIn: false,
  signInError: null,
  sync: { state: 'connecting' },
  users: [],
};

export const sessionStore = createStore<SessionState>(initialSessionState);

/** The signed-in user's id, or 0. */
export function myId(): number {
  return sessionStore.get().session?.user?.id ?? 0;
}

/** Whether the hub is out of reach (the offline banner shows). */
export function isOffline(s: SessionState): boolean {
  return s.sync.state === 'offline';
}

/** Whether the signed-in user may see everyone's counters. */
export function isSupervisor(s: SessionState): boolean {
  const role = s.session?.user?.role;
  return role === 'supervisor' || role === 'admin';
}

export async function loadSession(): Promise<void> {
  sessionStore.set((s) => ({ ...s, loading: true, error: null }));
  try {
    const [session, sync] = await Promise.all([api.session(), api.syncState().catch(() => sessionStore.get().sync)]);
    sessionStore.set((s) => ({ ...s, session, sync, loading: false }));
  } catch (err) {
    sessionStore.set((s) => ({ ...s, loading: false, error: toAppError(err) }));
  }
}

export async function loadUsers(): Promise<void> {
  try {
    const users = await api.users();
    sessionStore.set((s) => ({ ...s, users: users ?? [] }));
  } catch {
    // The directory only feeds assignment menus; they fall back to "me".
  }
}

async function signInWith(fn: () => Promise<SessionInfo>): Promise<boolean> {
  sessionStore.set((s) => ({ ...s, signingIn: true, signInError: null }));
  try {
    const session = await fn();
    sessionStore.set((s) => ({ ...s, session, signingIn: false }));
    return true;
  } catch (err) {
    sessionStore.set((s) => ({ ...s, signingIn: false, signInError: toAppError(err) }));
    return false;
  }
}

/** Connects to a real hub. */
export function signIn(req: SignInRequest): Promise<boolean> {
  return signInWith(() => api.signIn(req));
}

/** Switches to the embedded sandbox hub. */
export function connectSandbox(): Promise<boolean> {
  return signInWith(() => api.useSandbox());
}

export async function signOut(): Promise<void> {
  try {
    await api.signOut();
  } finally {
    sessionStore.set((s) => ({ ...s, session: s.session ? { ...s.session, signed_in: false, user: null } : null }));
  }
}

/** Follows sync.state and session changes; returns the unsubscribe function. */
export function listenSession(): () => void {
  const offs = [
    onEvent<SyncState>(EVENTS.syncState, (sync) => sessionStore.set((s) => ({ ...s, sync: { ...sync } }))),
    onEvent<SessionInfo>(EVENTS.sessionUpdated, (session) => sessionStore.set((s) => ({ ...s, session }))),
  ];
  return () => offs.forEach((off) => off());
}
