// SPDX-FileCopyrightText: 2026 The sipdns authors
// SPDX-License-Identifier: BSD-3-Clause
// server.transfer.key (RFC 8945 TSIG): the key as written in the site file or read from a
// secret file (the base64 secret alone, or BIND's `key "name" { ... };` block), and what each
// mistake is told.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "sipdns/config/loader.h"

namespace sipdns::config {
namespace {

const std::string kHead = "domain: scsnetwork.local\nhosts:\n  ntp: 192.0.2.1\nserver:\n  transfer:\n";
// base64 of "sipdns test secret, 32 octets.!!"
const std::string kSecretB64 = "c2lwZG5zIHRlc3Qgc2VjcmV0LCAzMiBvY3RldHMuISE=";
const std::string kSecret = "sipdns test secret, 32 octets.!!";

// A secret file with `text` and `mode`, removed at the end of the test.
class SecretFile {
public:
    SecretFile(const std::string& text, mode_t mode) {
        char name[] = "/tmp/sipdns-key-XXXXXX";
        const int fd = ::mkstemp(name);
        EXPECT_GE(fd, 0);
        path_ = name;
        EXPECT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
        ::close(fd);
        ::chmod(name, mode);
    }
    ~SecretFile() { ::unlink(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

struct KeyRow {
    const char* what;
    std::string key_yaml;       // the value of server.transfer.key, one line ({ ... })
    std::string file_text;      // a secret file's content; @FILE in key_yaml is its path
    mode_t file_mode;
    // Loaded: name, algorithm, secret; else the diagnostics (with @FILE for the path).
    std::string name, algorithm, secret;
    std::vector<std::string> diagnostics;
};

const std::string kBindBlock =
    "key \"sipdns-transfer\" {\n\talgorithm hmac-sha512;\n\tsecret \"" + kSecretB64 + "\";\n};\n";

const std::vector<KeyRow> kRows = {
    {"inline_default_algorithm", "{ name: sipdns-transfer, secret: " + kSecretB64 + " }", "", 0,
     "sipdns-transfer", "hmac-sha256", kSecret, {}},
    {"inline_sha1_trailing_dot_upper", "{ name: XFR.Example., algorithm: HMAC-SHA1, secret: " + kSecretB64 + " }",
     "", 0, "xfr.example", "hmac-sha1", kSecret, {}},
    {"file_secret_alone", "{ name: k, algorithm: hmac-sha384, secret_file: @FILE }",
     kSecretB64 + "\n", 0600, "k", "hmac-sha384", kSecret, {}},
    {"file_bind_block_gives_name_and_algorithm", "{ secret_file: @FILE }", kBindBlock, 0400,
     "sipdns-transfer", "hmac-sha512", kSecret, {}},
    {"file_bind_block_agrees", "{ name: sipdns-transfer, algorithm: hmac-sha512, secret_file: @FILE }",
     "# tsig-keygen -a hmac-sha512 sipdns-transfer\n" + kBindBlock, 0600, "sipdns-transfer",
     "hmac-sha512", kSecret, {}},
    {"file_readable_by_others_warns", "{ name: k, secret_file: @FILE }", kSecretB64, 0644, "k",
     "hmac-sha256", kSecret,
     {"site.yaml:6:34: warning: server.transfer.key.secret_file: @FILE is readable by others "
      "(mode 0644); make it readable by the daemon only (chmod 600)"}},
    {"file_readable_by_group_warns", "{ name: k, secret_file: @FILE }", kSecretB64, 0640, "k",
     "hmac-sha256", kSecret,
     {"site.yaml:6:34: warning: server.transfer.key.secret_file: @FILE is readable by its group "
      "(mode 0640); make it readable by the daemon only (chmod 600)"}},
    // --- mistakes
    {"not_base64", "{ name: k, secret: not*base64 }", "", 0, "", "", "",
     {"site.yaml:6:29: server.transfer.key.secret: expected a base64 secret (RFC 4648) such as "
      "tsig-keygen writes, got 'not*base64'"}},
    {"base64_bad_padding", "{ name: k, secret: abc }", "", 0, "", "", "",
     {"site.yaml:6:29: server.transfer.key.secret: expected a base64 secret (RFC 4648) such as "
      "tsig-keygen writes, got 'abc'"}},
    {"both_secrets", "{ name: k, secret: " + kSecretB64 + ", secret_file: /etc/k }", "", 0, "",
     "", "", {"site.yaml:6:10: server.transfer.key: give either secret or secret_file, not both"}},
    {"no_secret", "{ name: k }", "", 0, "", "", "",
     {"site.yaml:6:10: server.transfer.key: required key secret (base64) or secret_file (a file "
      "holding it)"}},
    {"no_name", "{ secret: " + kSecretB64 + " }", "", 0, "", "", "",
     {"site.yaml:6:10: server.transfer.key.name: required key is missing"}},
    {"unknown_algorithm", "{ name: k, algorithm: hmac-md5, secret: " + kSecretB64 + " }", "", 0,
     "", "", "",
     {"site.yaml:6:32: server.transfer.key.algorithm: expected hmac-sha256, hmac-sha384, "
      "hmac-sha512 or hmac-sha1, got 'hmac-md5'"}},
    {"relative_file", "{ name: k, secret_file: k.key }", "", 0, "", "", "",
     {"site.yaml:6:34: server.transfer.key.secret_file: expected an absolute file path such as "
      "/etc/sipdns/transfer.key, got 'k.key'"}},
    {"missing_file", "{ name: k, secret_file: /nonexistent/sipdns.key }", "", 0, "", "", "",
     {"site.yaml:6:34: server.transfer.key.secret_file: /nonexistent/sipdns.key: cannot read: "
      "No such file or directory"}},
    {"file_name_disagrees", "{ name: other, secret_file: @FILE }", kBindBlock, 0600, "", "", "",
     {"site.yaml:6:38: server.transfer.key.secret_file: @FILE: the file's key is named "
      "'sipdns-transfer', not 'other' as `name` says"}},
    {"file_algorithm_disagrees", "{ algorithm: hmac-sha256, secret_file: @FILE }", kBindBlock,
     0600, "", "", "",
     {"site.yaml:6:49: server.transfer.key.secret_file: @FILE: the file's key uses hmac-sha512, "
      "not hmac-sha256 as `algorithm` says"}},
    {"file_bad_statement", "{ secret_file: @FILE }", "key \"k\" {\n  algorithm hmac-sha256;\n  nonsense 1;\n};\n",
     0600, "", "", "",
     {"site.yaml:6:25: server.transfer.key.secret_file: @FILE: line 3: unknown statement "
      "'nonsense' in the key block; expected algorithm or secret"}},
    {"file_not_base64", "{ name: k, secret_file: @FILE }", "%%%\n", 0600, "", "", "",
     {"site.yaml:6:34: server.transfer.key.secret_file: @FILE: the secret is not base64 (RFC 4648)"}},
    {"unknown_key", "{ name: k, secret: " + kSecretB64 + ", algo: x }", "", 0, "", "", "",
     {"site.yaml:6:75: server.transfer.key.algo: unknown key (expected one of: name, algorithm, secret, secret_file)"}},
};

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

class TransferKey : public ::testing::TestWithParam<KeyRow> {};

TEST_P(TransferKey, Loads) {
    const KeyRow& row = GetParam();
    std::unique_ptr<SecretFile> file;
    std::string key_yaml = row.key_yaml;
    std::vector<std::string> expected = row.diagnostics;
    if (!row.file_text.empty()) {
        file = std::make_unique<SecretFile>(row.file_text, row.file_mode);
        replace_all(key_yaml, "@FILE", file->path());
        for (auto& d : expected) replace_all(d, "@FILE", file->path());
    }
    const std::string yaml = kHead + "    key: " + key_yaml + "\n";
    auto site = load_site_text(yaml, "site.yaml");
    if (row.name.empty()) {
        ASSERT_FALSE(site) << yaml;
        std::vector<std::string> got;
        for (const auto& d : site.error()) got.push_back(d.to_string());
        EXPECT_EQ(got, expected) << yaml;
        return;
    }
    ASSERT_TRUE(site) << (site ? "" : site.error().front().to_string());
    ASSERT_TRUE(site->server.transfer_key);
    const auto& key = *site->server.transfer_key;
    EXPECT_EQ(key.name, row.name);
    EXPECT_EQ(key.algorithm, row.algorithm);
    EXPECT_EQ(key.secret, row.secret);
    EXPECT_EQ(key.secret_file, file ? file->path() : std::string());
    std::vector<std::string> warnings;
    for (const auto& d : site->warnings) warnings.push_back(d.to_string());
    EXPECT_EQ(warnings, expected);
}

INSTANTIATE_TEST_SUITE_P(Rows, TransferKey, ::testing::ValuesIn(kRows),
                         [](const auto& info) { return std::string(info.param.what); });

TEST(TransferKey, AbsentMeansNone) {
    auto site = load_site_text(kHead + "    allow: [192.0.2.0/24]\n", "site.yaml");
    ASSERT_TRUE(site);
    EXPECT_FALSE(site->server.transfer_key);
}

}  // namespace
}  // namespace sipdns::config
