package io.nip.monitoring;

import io.nip.errors.ConfigurationException;
import io.nip.monitoring.internal.Redaction;
import io.nip.monitoring.internal.Settings;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * Sends alerts as plain-text e-mails over SMTP, with Jakarta Mail (Eclipse Angus Mail). The subject
 * is {@link AlertNotification#summary()} without the detail; the body holds every field. The SMTP
 * password is a secret: never logged nor shown by {@link #toString()} or in exceptions.
 *
 * <pre>{@code
 * EmailChannel email = EmailChannel.builder().host("smtp.example.com").port(587).startTls(true)
 *     .credentials("alerts", System.getenv("SMTP_PASSWORD")).from("nip@example.com").to("oncall@example.com").build();
 * }</pre>
 */
public final class EmailChannel implements AlertChannel {
  private final String name;
  private final String host;
  private final int port;
  private final InternetAddress from;
  private final InternetAddress[] to;
  private final String username;
  private final String password;
  private final Session session;
  private final Redaction redaction;

  private EmailChannel(Builder b) {
    this.name = b.name;
    this.host = Settings.host("email.host", b.host == null ? "" : b.host);
    this.port = b.port;
    this.from = address("email.from", b.from);
    if (b.to.isEmpty()) {
      throw new ConfigurationException("email.to", "must name at least one recipient");
    }
    this.to = b.to.stream().map(a -> address("email.to", a)).toArray(InternetAddress[]::new);
    if ((b.username == null) != (b.password == null)) {
      throw new ConfigurationException("email.credentials", "needs both a username and a password, or neither");
    }
    this.username = b.username;
    this.password = b.password;
    Properties props = new Properties();
    String protocol = b.ssl ? "smtps" : "smtp";
    props.put("mail.transport.protocol", protocol);
    props.put("mail." + protocol + ".host", host);
    props.put("mail." + protocol + ".port", String.valueOf(port));
    props.put("mail." + protocol + ".auth", String.valueOf(username != null));
    props.put("mail." + protocol + ".connectiontimeout", String.valueOf(b.timeout.toMillis()));
    props.put("mail." + protocol + ".timeout", String.valueOf(b.timeout.toMillis()));
    props.put("mail." + protocol + ".writetimeout", String.valueOf(b.timeout.toMillis()));
    if (b.startTls) {
      props.put("mail.smtp.starttls.enable", "true");
      props.put("mail.smtp.starttls.required", "true");
    }
    this.session = Session.getInstance(props);
    this.redaction = new Redaction(password == null ? List.of() : List.of(password));
  }

  private static InternetAddress address(String setting, String address) {
    if (address == null || address.isBlank()) {
      throw new ConfigurationException(setting, "is required (an e-mail address)");
    }
    try {
      InternetAddress a = new InternetAddress(address, true);
      a.validate();
      return a;
    } catch (AddressException e) {
      throw ConfigurationException.invalid(setting, "'" + address + "'", "must be an e-mail address");
    }
  }

  /** @return a builder: name {@code "email"}, port 25, plain SMTP, no credentials, timeout 10 s */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * Sends one e-mail to every recipient.
   *
   * @throws AlertDeliveryException when the server refused it or could not be reached; retryable
   *     except for rejected credentials or recipients
   */
  @Override
  public void send(AlertNotification n) {
    try {
      MimeMessage message = new MimeMessage(session);
      message.setFrom(from);
      message.setRecipients(Message.RecipientType.TO, to);
      message.setSubject(subject(n), StandardCharsets.UTF_8.name());
      message.setText(body(n), StandardCharsets.UTF_8.name());
      message.setSentDate(Date.from(n.at()));
      if (username == null) {
        Transport.send(message);
      } else {
        Transport.send(message, username, password);
      }
    } catch (AuthenticationFailedException e) {
      throw new AlertDeliveryException(name + ": the SMTP server " + host + ":" + port
          + " rejected the credentials: " + redaction.describe(e), false);
    } catch (SendFailedException e) {
      throw new AlertDeliveryException(name + ": the SMTP server " + host + ":" + port
          + " refused the message: " + redaction.describe(e), e.getInvalidAddresses() == null);
    } catch (MessagingException e) {
      throw new AlertDeliveryException(name + ": sending through " + host + ":" + port + " failed: "
          + redaction.describe(e), true);
    }
  }

  /**
   * @param n a notification
   * @return the subject, e.g. {@code "[CRITICAL] streaming_alerts/error_rate FIRING: Error rate
   *     exceeded threshold"}
   */
  public static String subject(AlertNotification n) {
    return "[" + n.severity() + "] " + n.dedupKey() + " " + n.status() + ": " + n.message();
  }

  /**
   * @param n a notification
   * @return the plain-text body: one {@code field: value} line per field
   */
  public static String body(AlertNotification n) {
    return "Alert:    " + n.alert() + "\n"
        + "Status:   " + n.status() + "\n"
        + "Severity: " + n.severity().label() + "\n"
        + "Message:  " + n.message() + "\n"
        + "Detail:   " + n.detail() + "\n"
        + "At:       " + n.at() + "\n"
        + "Manager:  " + n.manager() + "\n";
  }

  @Override
  public String toString() {
    return "EmailChannel[name=" + name + ", host=" + host + ", port=" + port + ", from=" + from.getAddress()
        + ", to=" + to.length + " recipient(s)" + (username == null ? "" : ", password=<redacted>") + "]";
  }

  /** Settings of an {@link EmailChannel}. */
  public static final class Builder extends ChannelBuilder<Builder> {
    private String host;
    private int port = 25;
    private boolean startTls;
    private boolean ssl;
    private String username;
    private String password;
    private String from;
    private final List<String> to = new ArrayList<>();

    private Builder() {
      super("email");
    }

    /**
     * @param host the SMTP server's host name or address; required
     * @return this builder
     * @throws ConfigurationException when blank
     */
    public Builder host(String host) {
      this.host = Settings.host("email.host", host);
      return this;
    }

    /**
     * @param port the SMTP server's port, 1..65535 (25, 587 with STARTTLS, 465 with SSL); default 25
     * @return this builder
     * @throws ConfigurationException when outside 1..65535
     */
    public Builder port(int port) {
      if (port < 1 || port > 65_535) {
        throw ConfigurationException.invalid("email.port", port, "must be within 1..65535");
      }
      this.port = port;
      return this;
    }

    /**
     * @param required true to require STARTTLS (typically on port 587); default false
     * @return this builder
     */
    public Builder startTls(boolean required) {
      this.startTls = required;
      return this;
    }

    /**
     * @param ssl true for SMTP over SSL from the first byte (SMTPS, typically port 465); default false
     * @return this builder
     */
    public Builder ssl(boolean ssl) {
      this.ssl = ssl;
      return this;
    }

    /**
     * @param username the SMTP login
     * @param password its password, a secret
     * @return this builder
     * @throws ConfigurationException when either is blank
     */
    public Builder credentials(String username, String password) {
      this.username = Settings.host("email.username", username);
      this.password = Settings.secret("email.password", password);
      return this;
    }

    /**
     * @param address the sender, e.g. {@code "nip@example.com"}; required
     * @return this builder
     */
    public Builder from(String address) {
      this.from = address;
      return this;
    }

    /**
     * @param addresses recipients, added to those given before; at least one in all
     * @return this builder
     */
    public Builder to(String... addresses) {
      for (String a : addresses) {
        to.add(Objects.requireNonNull(a, "to"));
      }
      return this;
    }

    /**
     * @return the channel
     * @throws ConfigurationException naming {@code email.host}, {@code email.from} or {@code email.to}
     *     when missing or invalid
     */
    public EmailChannel build() {
      return new EmailChannel(this);
    }
  }
}
