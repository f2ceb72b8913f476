/**
 * What a device knows about the files of one pool, whatever stores them: the offer book fed
 * from the log, the file events it raises, the images it fetches on their own, and the views
 * the API lists. The daemon (disk) and the page (OPFS) each keep their files and downloads and
 * tell it their side of each file.
 */
import type { PoolMessage } from '@poolnet/protocol';
import { AutoFetch } from './auto-fetch.js';
import { type FileEvent, offerEvent } from './file-events.js';
import { type FileSide, fileState, listFiles, liveFolder } from './file-listing.js';
import {
  type FileState,
  type FileView,
  type FolderView,
  fileView,
  folderView,
} from './file-views.js';
import type { NameChecks } from './name-checks.js';
import { type Offer, PoolOffers } from './offers.js';

export interface FileBookOptions {
  readonly poolId: string;
  readonly selfId: string;
  /** Which names and relative paths this device keeps (see `NameChecks`). */
  readonly checks: NameChecks;
  /** This device's side of each file: held whole, downloading, seeders announced. */
  readonly side: FileSide;
  /** Images others offer up to this many bytes are fetched on their own; 0: never. */
  autoFetchImageBytes(): number;
  /** Runs `run` on the next turn; returns what cancels it. */
  defer(run: () => void): () => void;
  /** Whether a download can start now (attached to a node's file transfer). */
  canFetch(): boolean;
  /** Fetches an image on its own (an auto download). */
  fetchImage(fileId: string): Promise<unknown>;
  /** Stops the download of `fileId` if it was started on its own (its offer was withdrawn). */
  dropAutoFetch(fileId: string): void;
  onEvent(event: FileEvent): void;
  log(line: string): void;
}

export class FileBook {
  readonly offers: PoolOffers;
  private readonly autoFetch: AutoFetch;

  constructor(private readonly options: FileBookOptions) {
    this.offers = new PoolOffers(options.checks);
    this.autoFetch = new AutoFetch({
      selfId: options.selfId,
      limit: () => options.autoFetchImageBytes(),
      defer: options.defer,
      ready: () => options.canFetch(),
      wanted: (fileId) =>
        this.offers.live(fileId) !== undefined &&
        !options.side.have(fileId) &&
        !options.side.downloading(fileId),
      fetch: (fileId) => options.fetchImage(fileId),
      log: options.log,
    });
  }

  /** A pool message was stored: offers and retractions update the book (and, if `announce`, raise events). */
  noteMessage(message: PoolMessage, announce = true): void {
    const changes = this.offers.apply(message);
    for (const why of changes.refused) {
      this.options.log(`ignoring part of an offer by ${message.authorNodeId}: ${why}`);
    }
    if (!announce) return;
    for (const offer of changes.added) {
      this.offerEvent(offer);
      this.autoFetch.consider(offer);
    }
    for (const offer of changes.described) this.autoFetch.consider(offer);
    for (const offer of changes.retracted) {
      this.offerEvent(offer);
      // An image fetched on its own is not wanted once withdrawn; a person's download goes on.
      this.options.dropAutoFetch(offer.info.fileId);
    }
  }

  /** Attached to a node (again): fetch what waited. */
  fetchImagesSoon(): void {
    this.autoFetch.soon();
  }

  list(online: ReadonlySet<string>): { files: FileView[]; folders: FolderView[] } {
    return listFiles(this.offers, this.state(online));
  }

  /** One folder with its live files; undefined when unknown or all withdrawn. */
  folder(
    folderId: string,
    online: ReadonlySet<string>,
  ): { folder: FolderView; files: FileView[] } | undefined {
    const found = liveFolder(this.offers, folderId);
    if (!found) return undefined;
    const state = this.state(online);
    return {
      folder: folderView(found.folder, found.entries, state),
      files: found.entries.map((offer) => fileView(offer, state)),
    };
  }

  state(online: ReadonlySet<string>): FileState {
    return fileState(this.options.poolId, this.options.selfId, online, this.options.side);
  }

  /** Raises the offer event of `offer` (offered or withdrawn). */
  offerEvent(offer: Offer): void {
    this.options.onEvent(offerEvent(this.options.poolId, offer));
  }

  close(): void {
    this.autoFetch.close();
  }
}
