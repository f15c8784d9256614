import XCTest
@testable import CorpusKitVocab
