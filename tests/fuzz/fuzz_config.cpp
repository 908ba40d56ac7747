// libFuzzer target: the node's JSON config file, read by resolveSettings() as `--config FILE`.
//
// resolveSettings() reads the file by path, so each input is written over one file in a
// temporary directory made once per process (a directory per process lets fuzzers run side by
// side). The environment holds only HOME, pointing at that directory, so the default data
// directory resolves without looking at the machine's.

#include <node/config/settingsloader.h>

#include <QByteArray>
#include <QFile>
#include <QProcessEnvironment>
#include <QTemporaryDir>

#include <cstddef>
#include <cstdint>

using namespace DNotifier;
using namespace Qt::Literals::StringLiterals;

namespace {

struct Fixture
{
    QTemporaryDir dir;
    Config::CommandLine commandLine;
    QProcessEnvironment environment;

    Fixture()
    {
        if (!dir.isValid()) {
            qFatal("fuzz_config: cannot make a temporary directory: %s",
                   qPrintable(dir.errorString()));
        }
        commandLine.configFile = dir.filePath(u"dnotifier.json"_s);
        environment.insert(u"HOME"_s, dir.path());
    }
};

void writeConfigFile(const QString &path, const std::uint8_t *data, std::size_t size)
{
    QFile file(path);
    const auto length = static_cast<qint64>(size);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || file.write(reinterpret_cast<const char *>(data), length) != length) {
        qFatal("fuzz_config: cannot write %s: %s", qPrintable(path),
               qPrintable(file.errorString()));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const Fixture fixture;
    writeConfigFile(*fixture.commandLine.configFile, data, size);
    static_cast<void>(Config::resolveSettings(fixture.commandLine, fixture.environment));
    return 0;
}
