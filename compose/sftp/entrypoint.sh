#!/bin/sh
# Start the partner drop box: one chrooted account, keys from compose secrets, then sshd.
#
#   SFTP_PARTNER          account name (default acme); its chroot is /srv/sftp/<name>
#   SFTP_PARTNER_UID      its uid (default 20001)
#   SFTP_PORT             listen port (default 2222)
#   /run/secrets/sftp_host_key             ed25519 host private key (secret)
#   /run/secrets/sftp_authorized_keys      the public keys the partner account accepts
#                                          (edimesh's, and yours for uploading test files)
#
# Every component of the chroot and of the authorized-keys path is root-owned and not
# group/other-writable (sshd's StrictModes and ChrootDirectory insist); only inbound/ and
# archive/ inside the chroot belong to the partner.
set -eu

partner=${SFTP_PARTNER:-acme}
port=${SFTP_PORT:-2222}

if [ "${1:-}" = "healthcheck" ]; then
  # Up when sshd answers with its "SSH-2.0-..." banner; nothing logs in.
  banner=$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && head -c 4 <&3") || exit 1
  [ "$banner" = "SSH-" ] || exit 1
  exit 0
fi

group=edimesh-partners
getent group "$group" >/dev/null || groupadd --system "$group"
if ! id "$partner" >/dev/null 2>&1; then
  useradd --uid "${SFTP_PARTNER_UID:-20001}" --gid "$group" --home-dir "/srv/sftp/$partner" \
    --no-create-home --shell /usr/sbin/nologin "$partner"
  usermod --password '*' "$partner"   # useradd locks the account (!); UsePAM no needs '*'
fi

install -d -o root -g root -m 0755 /srv/sftp "/srv/sftp/$partner"
install -d -o "$partner" -g "$group" -m 0750 "/srv/sftp/$partner/inbound" "/srv/sftp/$partner/archive"

install -o root -g root -m 0600 /run/secrets/sftp_host_key /etc/ssh/keys/ssh_host_ed25519_key
install -o root -g root -m 0644 /run/secrets/sftp_authorized_keys "/etc/ssh/authorized_keys/$partner"

# envsubst substitutes only the names listed, literally: single quotes on purpose.
# shellcheck disable=SC2016
SSHD_LISTEN=0.0.0.0 SSHD_PORT=$port SSHD_HOST_KEY=/etc/ssh/keys/ssh_host_ed25519_key \
SSHD_PID_FILE=/run/sshd.pid SSHD_AUTHORIZED_KEYS=/etc/ssh/authorized_keys/%u \
SSHD_PARTNER_GROUP=$group \
  envsubst '${SSHD_LISTEN} ${SSHD_PORT} ${SSHD_HOST_KEY} ${SSHD_PID_FILE} ${SSHD_AUTHORIZED_KEYS} ${SSHD_PARTNER_GROUP}' \
  < /etc/ssh/sshd_config.template > /etc/ssh/sshd_config
chmod 0644 /etc/ssh/sshd_config

/usr/sbin/sshd -t -f /etc/ssh/sshd_config
exec /usr/sbin/sshd -D -e -f /etc/ssh/sshd_config
