/** What the page tells of an image file: kept with the image in its slot and with every saved run that read it. */
export interface ImageFacts {
  name: string;
  /** Format label, e.g. "PNG", "JPEG". */
  format: string;
  bytes: number;
  width: number;
  height: number;
  /** The file asks viewers to rotate it (EXIF): the preview does, the model sees it as stored. */
  exifRotated: boolean;
}

/** Only the facts of an image that carries more (its blob, its preview URL), e.g. to save them with a run. */
export function imageFacts({ name, format, bytes, width, height, exifRotated }: ImageFacts): ImageFacts {
  return { name, format, bytes, width, height, exifRotated };
}
