import { useEffect, useMemo, useRef, useState, type ChangeEvent, type KeyboardEvent } from 'react';
import type { AppError } from '../../lib/errors';
import { formatBytes } from '../../lib/content';
import {
  MAX_ANIMATED_STICKER_BYTES,
  MAX_AUDIO_BYTES,
  MAX_CAPTION,
  MAX_DOCUMENT_BYTES,
  MAX_IMAGE_BYTES,
  MAX_TEXT_BODY,
  MAX_VIDEO_BYTES,
} from '../../lib/generated/limits';
import { go } from '../../lib/go';
import { textLength } from '../../lib/text';
import { formatCountdown, formatFull } from '../../lib/time';
import type { Conversation, MediaUpload, Message, Template, TemplateRequest } from '../../lib/types';
import { useStore } from '../../lib/store';
import { clockStore } from '../../stores/clock';
import { addNote, sendMedia, sendMediaLink, sendTemplate, sendText } from '../../stores/messages';
import { setComposerMode, setReplyTo, uiStore, loadQuickReplies, type QuickReply } from '../../stores/ui';
import { Icon } from '../Icon';
import { TemplateComposer } from './TemplateComposer';
import styles from './Composer.module.css';

/** The countdown turns amber in the window's last hour. */
const WINDOW_WARN_MS = 60 * 60 * 1000;

/** Media kinds and WhatsApp's size limits for them, in bytes (as Go checks them). */
const LIMITS = {
  image: MAX_IMAGE_BYTES,
  video: MAX_VIDEO_BYTES,
  audio: MAX_AUDIO_BYTES,
  document: MAX_DOCUMENT_BYTES,
  sticker: MAX_ANIMATED_STICKER_BYTES,
} as const;

export function mediaKind(mime: string, name: string): keyof typeof LIMITS {
  if (mime === 'image/webp' && /sticker/i.test(name)) return 'sticker';
  if (mime === 'image/jpeg' || mime === 'image/png') return 'image';
  if (mime === 'video/mp4' || mime === 'video/3gpp') return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  return 'document';
}

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

/** Whether the 24-hour window is open at the clock's time (re-renders only when that flips). */
export function useWindowOpen(c: Conversation): boolean {
  const expires = c.window_expires_at ? Date.parse(c.window_expires_at) : 0;
  return useStore(clockStore, (now) => expires > now);
}

function Countdown({ expires }: { expires: string }) {
  const left = useStore(clockStore, (now) => Math.floor((Date.parse(expires) - now) / 1000) * 1000);
  return (
    <span className={`${styles.countdown} ${left < WINDOW_WARN_MS ? styles.countdownWarn : ''}`} title={`The 24-hour window closes ${formatFull(expires)}`} data-testid="window-countdown">
      <Icon name="clock" size={14} /> Window closes in {formatCountdown(left)}
    </span>
  );
}

interface ComposerProps {
  conversation: Conversation;
  templates: Template[];
  offline: boolean;
  sendError: AppError | null;
  /** The saved draft; undefined until the conversation has loaded. */
  draft?: string;
  /** Why the customer cannot be messaged, as Go words it. */
  blockedReason?: string;
}

/** Media types by a link's file extension, for attaching by link. */
export function kindOfLink(url: string): 'image' | 'video' | 'audio' | 'document' {
  const ext = url.split(/[?#]/)[0]?.split('.').pop()?.toLowerCase() ?? '';
  if (['jpg', 'jpeg', 'png'].includes(ext)) return 'image';
  if (['mp4', '3gp'].includes(ext)) return 'video';
  if (['mp3', 'ogg', 'opus', 'aac', 'm4a', 'amr'].includes(ext)) return 'audio';
  return 'document';
}

/**
 * The composer, following WhatsApp's rules: free text, attachments and
 * quick replies while the customer service window is open (with a
 * countdown), templates once it has closed, nothing for an opted-out
 * customer — and internal notes always.
 */
export function Composer({ conversation, templates, offline, sendError, draft, blockedReason }: ComposerProps) {
  const { composerMode, focusComposer, replyTo } = useStore(uiStore);
  const open = useWindowOpen(conversation);
  const [text, setText] = useState('');
  const [note, setNote] = useState('');
  const [file, setFile] = useState<File | null>(null);
  /** A media link being attached (builds without file upload). */
  const [link, setLink] = useState<string | null>(null);
  const [fileError, setFileError] = useState('');
  const [busy, setBusy] = useState(false);
  const [templateChosen, setTemplateChosen] = useState(false);
  /**
   * The agent picked a template in the form: the form stays, with what they
   * typed, even if the customer writes and the window reopens, until they
   * choose free text themselves.
   */
  const [templateStarted, setTemplateStarted] = useState(false);
  const [quickOpen, setQuickOpen] = useState(false);
  const [quickIndex, setQuickIndex] = useState(0);
  // Read when the conversation changes, so edits in Settings apply.
  const quickReplies = useMemo<QuickReply[]>(() => loadQuickReplies(), [conversation.id]);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const id = conversation.id;
  const optedOut = conversation.contact.opted_out || blockedReason !== undefined;
  // With something attached the text is its caption: Go's limits, counted
  // in Go's unit (code points).
  const maxLength = file || link !== null ? MAX_CAPTION : MAX_TEXT_BODY;

  // A new conversation starts empty, then from its saved draft once the
  // conversation has loaded.
  const draftApplied = useRef<number | null>(null);
  useEffect(() => {
    setText('');
    setNote('');
    setFile(null);
    setLink(null);
    setTemplateChosen(false);
    setTemplateStarted(false);
    setReplyTo(null);
    draftApplied.current = null;
  }, [id]);
  useEffect(() => {
    if (draft === undefined || draftApplied.current === id) return;
    draftApplied.current = id;
    if (draft) setText((t) => t || draft);
  }, [id, draft]);

  // Save the draft a moment after typing stops.
  useEffect(() => {
    if (draftApplied.current !== id) return;
    const t = setTimeout(() => void go.SaveDraft(id, text).catch(() => {}), 600);
    return () => clearTimeout(t);
  }, [id, text]);

  useEffect(() => {
    if (focusComposer > 0) inputRef.current?.focus();
  }, [focusComposer, composerMode]);

  // Quick replies: typed as "/" at the start, or from the bolt button.
  const slash = composerMode === 'reply' && text.startsWith('/') && !text.includes(' ') ? text.slice(1).toLowerCase() : null;
  const quickList = useMemo(() => {
    const q = slash ?? '';
    return quickReplies.filter((r) => r.shortcut.toLowerCase().startsWith(q) || (q.length > 1 && r.text.toLowerCase().includes(q)));
  }, [quickReplies, slash]);
  const showQuick = (quickOpen || slash !== null) && quickList.length > 0;

  const useQuick = (r: QuickReply) => {
    setText(r.text);
    setQuickOpen(false);
    setQuickIndex(0);
    inputRef.current?.focus();
  };

  const submitText = async () => {
    const body = text.trim();
    const url = link?.trim() ?? '';
    if (busy || (!body && !file && !url) || textLength(body) > maxLength) return;
    if (link !== null && !/^https:\/\/\S+$/i.test(url)) {
      setFileError('The link must start with https://');
      return;
    }
    setBusy(true);
    let ok: boolean;
    if (url) {
      const kind = kindOfLink(url);
      const name = decodeURIComponent(url.split(/[?#]/)[0]?.split('/').pop() ?? '');
      const content: Record<string, string> = { link: url };
      if (body && kind !== 'audio') content.caption = body;
      if (kind === 'document' && name) content.filename = name;
      ok = await sendMediaLink(id, { type: kind, content, reply_to: replyTo?.id });
    } else if (file) {
      try {
        const media: MediaUpload = { filename: file.name, mime_type: file.type || 'application/octet-stream', data: await readBase64(file), caption: body || undefined };
        ok = await sendMedia(id, media);
      } catch {
        ok = false;
        setFileError('The file could not be read.');
      }
    } else {
      ok = await sendText(id, body, replyTo?.id ?? 0);
    }
    setBusy(false);
    if (ok) {
      setText('');
      setFile(null);
      setLink(null);
      setFileError('');
      setReplyTo(null);
    }
  };

  const submitNote = async () => {
    const body = note.trim();
    if (busy || !body) return;
    setBusy(true);
    const ok = await addNote(id, body);
    setBusy(false);
    if (ok) setNote('');
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (showQuick) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setQuickIndex((i) => (i + (e.key === 'ArrowDown' ? 1 : quickList.length - 1)) % quickList.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        const r = quickList[Math.min(quickIndex, quickList.length - 1)];
        if (r) useQuick(r);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setQuickOpen(false);
        if (slash !== null) setText('');
        return;
      }
    }
    if (e.key === 'Escape') {
      (e.target as HTMLTextAreaElement).blur();
      if (replyTo) setReplyTo(null);
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (composerMode === 'note') void submitNote();
      else void submitText();
    }
  };

  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    e.target.value = '';
    if (!f) return;
    const kind = mediaKind(f.type, f.name);
    const limit = LIMITS[kind];
    if (f.size > limit) {
      setFileError(`${f.name} is ${formatBytes(f.size)}; WhatsApp accepts ${kind}s up to ${formatBytes(limit)}.`);
      return;
    }
    setFileError('');
    setFile(f);
    setLink(null);
    inputRef.current?.focus();
  };

  const sendTpl = async (t: TemplateRequest) => {
    setBusy(true);
    const ok = await sendTemplate(id, t);
    setBusy(false);
    if (ok) setTemplateChosen(false);
    return ok;
  };

  const modeTabs = (
    <div className={styles.modes} role="tablist" aria-label="Composer mode">
      <button type="button" role="tab" aria-selected={composerMode === 'reply'} className={styles.mode} onClick={() => setComposerMode('reply')}>
        Reply
      </button>
      <button type="button" role="tab" aria-selected={composerMode === 'note'} className={styles.mode} onClick={() => setComposerMode('note')}>
        <Icon name="lock" size={13} /> Note
      </button>
      <span className={styles.modesRight}>
        {offline && composerMode === 'reply' && (
          <span className={styles.offlineHint} data-testid="offline-hint">
            <Icon name="offline" size={14} /> Offline: sends wait in the outbox
          </span>
        )}
        {composerMode === 'reply' && open && !optedOut && conversation.window_expires_at && <Countdown expires={conversation.window_expires_at} />}
      </span>
    </div>
  );

  const error = sendError && (
    <div className={styles.sendError} role="alert" data-testid="send-error">
      <Icon name="alert" size={14} /> {sendError.message}
      {sendError.code !== 'INTERNAL' && <span className={styles.code}> ({sendError.code})</span>}
    </div>
  );

  if (composerMode === 'note') {
    return (
      <div className={`${styles.composer} ${styles.noteMode}`} data-testid="composer" data-mode="note">
        {modeTabs}
        {error}
        <div className={styles.inputRow}>
          <textarea
            ref={inputRef}
            className={styles.input}
            dir="auto"
            rows={1}
            value={note}
            placeholder="Internal note — only your team sees this"
            aria-label="Internal note"
            onChange={(e) => setNote(e.target.value)}
            onKeyDown={onKeyDown}
          />
          <button type="button" className={styles.send} onClick={() => void submitNote()} disabled={!note.trim() || busy} aria-label="Add note">
            <Icon name="note" size={20} />
          </button>
        </div>
      </div>
    );
  }

  if (optedOut) {
    const at = conversation.contact.opted_out_at;
    const why = conversation.contact.attributes?.opt_out_reason;
    return (
      <div className={styles.composer} data-testid="composer" data-mode="opted-out">
        {modeTabs}
        <div className={styles.blocked} role="status" data-testid="opted-out">
          <Icon name="ban" size={18} />
          <div>
            <strong>{conversation.contact.name || 'This customer'} opted out of messages</strong>
            {at ? ` on ${formatFull(at)}` : ''}.{' '}
            {why ? <>Reason: “{why}”. </> : null}
            {blockedReason && !why ? `${blockedReason} ` : ''}WhatsApp messages cannot be sent to them until they opt back in. You can still add internal notes.
          </div>
        </div>
      </div>
    );
  }

  if (!open || templateChosen || templateStarted) {
    return (
      <div className={styles.composer} data-testid="composer" data-mode="template">
        {modeTabs}
        {error}
        <TemplateComposer
          templates={templates}
          contact={conversation.contact}
          reason={!open ? 'closed' : templateChosen ? 'chosen' : 'reopened'}
          sending={busy}
          onSend={sendTpl}
          onStarted={setTemplateStarted}
          onCancel={
            open
              ? () => {
                  setTemplateChosen(false);
                  setTemplateStarted(false);
                }
              : undefined
          }
        />
      </div>
    );
  }

  const length = textLength(text);
  return (
    <div className={styles.composer} data-testid="composer" data-mode="text">
      {modeTabs}
      {error}
      {replyTo && <ReplyPreview m={replyTo} onClear={() => setReplyTo(null)} />}
      {file && (
        <div className={styles.attachment} data-testid="attachment">
          <Icon name={mediaKind(file.type, file.name) === 'image' ? 'image' : mediaKind(file.type, file.name) === 'video' ? 'video' : mediaKind(file.type, file.name) === 'audio' ? 'mic' : 'file'} size={18} />
          <span className={styles.attachmentName}>{file.name}</span>
          <span className={styles.muted}>{formatBytes(file.size)}</span>
          <button type="button" className={styles.iconButton} onClick={() => setFile(null)} aria-label="Remove attachment">
            <Icon name="close" size={16} />
          </button>
        </div>
      )}
      {link !== null && (
        <div className={styles.attachment} data-testid="attach-link">
          <Icon name="link" size={18} />
          <input
            className={styles.linkInput}
            type="url"
            placeholder="https:// link to a photo, video, audio or document"
            aria-label="Attachment link"
            value={link}
            autoFocus
            onChange={(e) => setLink(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void submitText();
              }
            }}
          />
          {link && <span className={styles.muted}>{kindOfLink(link)}</span>}
          <button type="button" className={styles.textButton} onClick={() => fileRef.current?.click()}>
            From this computer…
          </button>
          <button type="button" className={styles.iconButton} onClick={() => setLink(null)} aria-label="Remove attachment">
            <Icon name="close" size={16} />
          </button>
        </div>
      )}
      {fileError && (
        <div className={styles.sendError} role="alert">
          {fileError}
        </div>
      )}
      {showQuick && (
        <ul className={styles.quickList} role="listbox" aria-label="Quick replies">
          {quickList.map((r, i) => (
            <li key={r.shortcut}>
              <button
                type="button"
                role="option"
                aria-selected={i === quickIndex}
                className={styles.quickItem}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => useQuick(r)}
              >
                <span className={styles.quickShortcut}>/{r.shortcut}</span>
                <span className={styles.quickText}>{r.text}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className={styles.inputRow}>
        <button
          type="button"
          className={styles.iconButton}
          onClick={() => {
            setFile(null);
            setLink((l) => (l === null ? '' : null));
          }}
          aria-label="Attach a file"
          title="Attach a photo, video, audio or document"
        >
          <Icon name="attach" size={20} />
        </button>
        <input ref={fileRef} type="file" hidden onChange={onFile} data-testid="file-input" accept="image/jpeg,image/png,video/mp4,video/3gpp,audio/*,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.txt" />
        <button type="button" className={styles.iconButton} onClick={() => setQuickOpen((o) => !o)} aria-label="Quick replies" title="Quick replies (type /)" aria-expanded={showQuick}>
          <Icon name="bolt" size={20} />
        </button>
        <button type="button" className={styles.iconButton} onClick={() => setTemplateChosen(true)} aria-label="Send a template" title="Send a template">
          <Icon name="templates" size={20} />
        </button>
        <textarea
          ref={inputRef}
          className={styles.input}
          dir="auto"
          rows={1}
          value={text}
          placeholder={file ? 'Add a caption' : 'Type a message — Enter to send, Shift+Enter for a new line, / for quick replies'}
          aria-label="Message"
          onChange={(e) => {
            setText(e.target.value);
            setQuickIndex(0);
          }}
          onKeyDown={onKeyDown}
        />
        <button type="button" className={styles.send} onClick={() => void submitText()} disabled={(!text.trim() && !file && !link?.trim()) || length > maxLength || busy} aria-label="Send">
          <Icon name="send" size={20} />
        </button>
      </div>
      {length > maxLength - Math.min(500, maxLength / 8) && (
        <div className={`${styles.counter} ${length > maxLength ? styles.counterOver : ''}`} data-testid="char-counter">
          {length} / {maxLength}
        </div>
      )}
    </div>
  );
}

function ReplyPreview({ m, onClear }: { m: Message; onClear: () => void }) {
  return (
    <div className={styles.replyPreview} data-testid="reply-preview">
      <div className={styles.replyBar} />
      <div className={styles.replyBody}>
        <div className={styles.replyWho}>Replying to {m.direction === 'outbound' ? 'yourself' : 'the customer'}</div>
        <div className={styles.replyText} dir="auto">
          {m.preview || m.type}
        </div>
      </div>
      <button type="button" className={styles.iconButton} onClick={onClear} aria-label="Cancel reply">
        <Icon name="close" size={16} />
      </button>
    </div>
  );
}
