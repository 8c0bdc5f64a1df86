/**
 * Streaming transfers to the hub shared by the CLI and the scaffolder action:
 * constant memory, back-pressure end to end, resumable multipart uploads.
 */
export { streamingRequest, readText } from './httpRequest';
export type { StreamingRequestInit } from './httpRequest';
export {
  fileRangeStream,
  FileRangeStream,
  sha256OfRange,
  TRANSFER_CHUNK_BYTES,
} from './fileRanges';
export {
  choosePartSize,
  MIN_AUTO_PART_BYTES,
  MAX_AUTO_PART_BYTES,
  MAX_IN_FLIGHT_SHARE,
} from './partSize';
export { HashWorker } from './hashWorker';
export { HashedFileWriter } from './hashedFileWriter';
export type { HashedFileWriterOptions } from './hashedFileWriter';
export { sha256WithParts, fileStamp, sameStamp } from './partHashes';
export type { FileStamp, PartHashes } from './partHashes';
export { uploadWholeFile, uploadFileInParts } from './multipart';
export type { TransferTransport, FileToUpload } from './multipart';
export {
  putPresignedPart,
  getPresigned,
  describeS3Error,
  PresignedTransferError,
} from './presigned';
