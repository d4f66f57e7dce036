package io.nip.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a file's lines as bytes, so that one bad line is one bad record rather than the end of the
 * read: a line may hold bytes that are not UTF-8 (checked by {@link Line#firstInvalidUtf8()}, which
 * names the position) or be longer than anything Kafka takes (only its first {@code keepBytes} bytes
 * are kept, and its full length is counted). Lines end at {@code \n}; a {@code \r} before it is
 * dropped. Line numbers are 1-based and count every line, empty ones included. Single-threaded.
 */
final class InputLines implements Closeable {
  private static final int BUFFER = 1 << 16;

  private final InputStream in;
  private final int keepBytes;
  private final byte[] buf = new byte[BUFFER];
  private int pos;
  private int limit;
  private boolean eof;
  private long number;
  private long fileOffset;
  private byte[] line = new byte[256];

  /**
   * One line.
   *
   * @param number its 1-based line number
   * @param fileOffset the byte offset of its first byte in the file
   * @param bytes its bytes without the line end, at most {@code keepBytes} of them
   * @param length its full length in bytes; larger than {@code bytes.length} when it was cut
   */
  record Line(long number, long fileOffset, byte[] bytes, long length) {
    /** @return true when only the first bytes were kept */
    boolean cut() {
      return length > bytes.length;
    }

    /** @return true when the line has no bytes (or only a {@code \r}) */
    boolean isEmpty() {
      return length == 0;
    }

    /**
     * @return the 0-based byte position in the line of the first byte sequence that is not
     *     UTF-8, or -1 when every byte kept is valid UTF-8
     */
    int firstInvalidUtf8() {
      int i = 0;
      while (i < bytes.length && bytes[i] >= 0) {
        i++; // ASCII needs no decoder
      }
      if (i == bytes.length) {
        return -1;
      }
      CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
      ByteBuffer src = ByteBuffer.wrap(bytes);
      CoderResult r = d.decode(src, CharBuffer.allocate(bytes.length), true);
      return r.isError() ? src.position() : -1;
    }
  }

  /**
   * @param file the file to read
   * @param keepBytes how many bytes of a line to keep at most
   * @throws IOException when the file cannot be opened
   */
  InputLines(Path file, int keepBytes) throws IOException {
    this.in = Files.newInputStream(file);
    this.keepBytes = keepBytes;
  }

  /**
   * @return the next line, or null at the end of the file
   * @throws IOException when the file cannot be read
   */
  Line next() throws IOException {
    long start = fileOffset;
    long length = 0;
    int kept = 0;
    while (true) {
      if (pos == limit && !fill()) {
        if (length == 0) {
          return null; // the end, after a final line end
        }
        break;
      }
      int end = pos;
      while (end < limit && buf[end] != '\n') {
        end++;
      }
      int n = end - pos;
      int keep = (int) Math.min(n, Math.max(0, keepBytes - kept));
      if (kept + keep > line.length) {
        line = Arrays.copyOf(line, Math.max(kept + keep, Math.min(keepBytes, line.length * 2)));
      }
      System.arraycopy(buf, pos, line, kept, keep);
      kept += keep;
      length += n;
      fileOffset += n;
      pos = end;
      if (end < limit) {
        pos++; // past '\n'
        fileOffset++;
        break;
      }
    }
    number++;
    if (kept > 0 && kept == length && line[kept - 1] == '\r') {
      kept--;
      length--;
    }
    return new Line(number, start, Arrays.copyOf(line, kept), length);
  }

  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    int n = in.read(buf, 0, buf.length);
    if (n < 0) {
      eof = true;
      return false;
    }
    pos = 0;
    limit = n;
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
