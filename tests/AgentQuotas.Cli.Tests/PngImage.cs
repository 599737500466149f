using System.Buffers.Binary;
using System.IO.Compression;

namespace AgentQuotas.Cli.Tests;

/// <summary>Decodes 8-bit, non-interlaced RGB/RGBA PNG files (what headless Chromium writes) into pixels.</summary>
internal sealed class PngImage
{
    private PngImage(int width, int height, byte[] rgb)
    {
        Width = width;
        Height = height;
        Rgb = rgb;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Three bytes per pixel, row by row.</summary>
    public byte[] Rgb { get; }

    public (byte R, byte G, byte B) this[int x, int y] => (Rgb[((y * Width) + x) * 3], Rgb[(((y * Width) + x) * 3) + 1], Rgb[(((y * Width) + x) * 3) + 2]);

    public static PngImage Decode(byte[] png)
    {
        byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if (png.Length < 8 || !png.AsSpan(0, 8).SequenceEqual(signature))
        {
            throw new InvalidDataException("not a PNG file");
        }

        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        int pos = 8;
        while (pos + 8 <= png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(png, pos + 4, 4);
            ReadOnlySpan<byte> data = png.AsSpan(pos + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                byte bitDepth = data[8], colorType = data[9], interlace = data[12];
                if (bitDepth != 8 || interlace != 0 || (colorType != 2 && colorType != 6))
                {
                    throw new InvalidDataException($"unsupported PNG: depth {bitDepth}, colour type {colorType}, interlace {interlace}");
                }

                channels = colorType == 6 ? 4 : 3;
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }
            else if (type == "IEND")
            {
                break;
            }

            pos += 12 + length;
        }

        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            z.CopyTo(inflated);
        }

        byte[] raw = inflated.ToArray();
        int stride = width * channels;
        var current = new byte[stride];
        var previous = new byte[stride];
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            int rowStart = y * (stride + 1);
            byte filter = raw[rowStart];
            for (int i = 0; i < stride; i++)
            {
                byte x = raw[rowStart + 1 + i];
                int a = i >= channels ? current[i - channels] : 0;
                int b = previous[i];
                int c = i >= channels ? previous[i - channels] : 0;
                current[i] = filter switch
                {
                    0 => x,
                    1 => (byte)(x + a),
                    2 => (byte)(x + b),
                    3 => (byte)(x + ((a + b) / 2)),
                    4 => (byte)(x + Paeth(a, b, c)),
                    _ => throw new InvalidDataException($"unknown PNG filter {filter}"),
                };
            }

            for (int px = 0; px < width; px++)
            {
                rgb[((y * width) + px) * 3] = current[px * channels];
                rgb[(((y * width) + px) * 3) + 1] = current[(px * channels) + 1];
                rgb[(((y * width) + px) * 3) + 2] = current[(px * channels) + 2];
            }

            (previous, current) = (current, previous);
        }

        return new PngImage(width, height, rgb);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
