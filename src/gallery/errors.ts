// The gallery's named errors. Like every error in Lantern they set
// `this.name`, so the UI branches on `err.name`; messages say what happened
// and what to do.

export const GALLERY_ERROR_NAMES = [
  'GalleryFullError',
  'GalleryClipMissingError',
  'GalleryClipDamagedError',
  'GalleryInvalidClipError',
  'GalleryUnavailableError',
] as const;
export type GalleryErrorName = (typeof GALLERY_ERROR_NAMES)[number];

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

/** A clip the UI can offer to delete to make room; `byteLength` is what deleting it frees (its video and thumbnail). */
export type OldClip = { id: string; createdAt: string; byteLength: number };

/**
 * The browser refused to store a clip: this site's storage quota is used up
 * (IndexedDB's QuotaExceededError). Nothing of the clip was written and
 * nothing stored before was touched; `oldest` are the clips the UI offers
 * to delete (oldest first) before saving it again.
 */
export class GalleryFullError extends Error {
  /** The clip's size: its video and its thumbnail. */
  readonly neededBytes: number;
  /** What the gallery's clips use now (videos and thumbnails). */
  readonly galleryBytes: number;
  /** The gallery's clips now. */
  readonly galleryClips: number;
  /** Up to five of the oldest clips, oldest first. */
  readonly oldest: OldClip[];
  constructor(neededBytes: number, galleryBytes: number, galleryClips: number, oldest: OldClip[], options?: { cause?: unknown }) {
    super(
      `The gallery is full: this clip (${megabytes(neededBytes)}) does not fit in this site's storage quota, ` +
        `and the gallery holds ${galleryClips} ${galleryClips === 1 ? 'clip' : 'clips'} (${megabytes(galleryBytes)}). ` +
        'Delete old clips in the Gallery to make room, then save this clip again. (Nothing stored was changed.)',
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'GalleryFullError';
    this.neededBytes = neededBytes;
    this.galleryBytes = galleryBytes;
    this.galleryClips = galleryClips;
    this.oldest = oldest;
  }
}

/** No clip with this id is in the gallery (deleted, perhaps in another tab), or its video is gone. */
export class GalleryClipMissingError extends Error {
  readonly id: string;
  constructor(id: string, what: 'clip' | 'video') {
    super(
      what === 'clip'
        ? `No clip '${id}' is in the gallery; it may have been deleted in another tab. The gallery's clips are listed by list().`
        : `The video of clip '${id}' is missing from the gallery, so it cannot be played. Delete the clip; its recipe can make it again.`,
    );
    this.name = 'GalleryClipMissingError';
    this.id = id;
  }
}

/** A stored clip whose video does not match its record (a different size, or unreadable). */
export class GalleryClipDamagedError extends Error {
  readonly id: string;
  constructor(id: string, detail: string, options?: { cause?: unknown }) {
    super(
      `The video of clip '${id}' is damaged (${detail}), so it cannot be played. Delete the clip; its recipe can make it again.`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'GalleryClipDamagedError';
    this.id = id;
  }
}

/** add() was given a clip the gallery would not be able to read back (a bad recipe, a size that is not a number). */
export class GalleryInvalidClipError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`The clip cannot be saved to the gallery: ${reason}. Nothing was stored.`);
    this.name = 'GalleryInvalidClipError';
    this.reason = reason;
  }
}

/** IndexedDB cannot be opened here (private browsing in some browsers, storage disabled, or a gallery from a newer Lantern). */
export class GalleryUnavailableError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      `The gallery (IndexedDB) cannot be used in this browser: ${detail}. Clips can still be downloaded, but not kept here; ` +
        'allow site data for this page (or leave private browsing) to keep them.',
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'GalleryUnavailableError';
  }
}
