/**
 * The composer: Enter sends, Shift+Enter is a new line, the byte limit is shown as it nears,
 * and files come in by the pick buttons, by paste, or by drop (on the whole pool view).
 */
import { MAX_TEXT_BYTES } from '@poolnet/protocol';
import { type KeyboardEvent, useRef, useState } from 'react';
import { ErrorText } from '../app/ErrorText.js';
import { utf8Bytes } from '../format.js';

export function Composer({
  onSend,
  onFiles,
  limit = MAX_TEXT_BYTES,
}: {
  onSend: (text: string) => Promise<void>;
  onFiles: (files: File[]) => void;
  limit?: number;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [sending, setSending] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const imageInput = useRef<HTMLInputElement>(null);
  const bytes = utf8Bytes(text);
  const over = bytes > limit;

  const send = async () => {
    const body = text.trim();
    if (body === '' || over || sending) return;
    setSending(true);
    setError(null);
    try {
      await onSend(body);
      setText('');
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  };

  const picked = (input: HTMLInputElement | null) => {
    const files = input?.files ? [...input.files] : [];
    if (files.length > 0) onFiles(files);
    if (input) input.value = '';
  };

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <ErrorText error={error} />
      <div className="composer-row">
        <button
          type="button"
          className="icon"
          aria-label="Share files"
          title="Share files"
          onClick={() => fileInput.current?.click()}
        >
          + File
        </button>
        <button
          type="button"
          className="icon"
          aria-label="Share images"
          title="Share images"
          onClick={() => imageInput.current?.click()}
        >
          + Image
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => picked(e.currentTarget)}
        />
        <input
          ref={imageInput}
          type="file"
          accept="image/*"
          multiple
          hidden
          data-testid="image-input"
          onChange={(e) => picked(e.currentTarget)}
        />
        <textarea
          aria-label="Message"
          placeholder="Message (Enter sends, Shift+Enter new line)"
          rows={1}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          onPaste={(e) => {
            const files = [...e.clipboardData.files];
            if (files.length > 0) {
              e.preventDefault();
              onFiles(files);
            }
          }}
        />
        <button type="submit" disabled={sending || over || text.trim() === ''}>
          Send
        </button>
      </div>
      {text !== '' ? (
        <p className={over ? 'error counter' : 'muted counter'} aria-live="polite">
          {bytes} / {limit} bytes
        </p>
      ) : null}
    </form>
  );
}
